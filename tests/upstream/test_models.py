"""Tolerant parsing of the JSON shapes real Open eLMS sites return."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from scormproxy.upstream.models import (LearningResource, PayloadError, parse_id, parse_learning, parse_list,
                                        parse_one, parse_trainee, parse_user)


@settings(max_examples=50)
@given(st.integers(min_value=0, max_value=10**12))
def test_numeric_ids_compare_equal_whether_sent_as_int_or_string(number):
    assert parse_id(number) == parse_id(str(number)) == number


@pytest.mark.parametrize("bad", [None, True, "", "  ", 1.5, [], {}])
def test_what_is_not_an_id(bad):
    with pytest.raises(PayloadError):
        parse_id(bad)


def test_learning_keeps_unknown_keys_in_extra():
    item = parse_learning({"id": "12", "name": "Fire safety", "type": "elearning", "download_link": None,
                           "version": 3})
    assert item == LearningResource(id=12, name="Fire safety", type="elearning")
    assert item.extra == {"version": 3}


def test_user_records_and_collections():
    user = parse_user({"id": 5, "username": "learner5", "employee_id": 77, "country": {"id": 1, "name": "UK"},
                       "groups": {"3": {"id": 3}}, "learning": None, "status": "active"})
    assert (user.id, user.username, user.employee_id) == (5, "learner5", "77")
    assert user.country == {"id": 1, "name": "UK"}
    assert user.groups == [{"id": 3}] and user.learning == []
    assert user.extra == {"status": "active"}


@pytest.mark.parametrize("score, parsed", [(80, 80), ("80", 80), ("72.5", 72.5), (None, None), ("", None)])
def test_trainee_scores(score, parsed):
    trainee = parse_trainee({"user_id": "3", "status": "completed", "score": score, "completion_date": None})
    assert (trainee.user_id, trainee.score) == (3, parsed)


def test_lists_may_be_wrapped_and_single_items_may_be_lists():
    payload = {"data": [{"id": 1, "name": "a"}]}
    assert [r.id for r in parse_list(payload, parse_learning, "x")] == [1]
    assert parse_one([{"id": 2, "name": "b"}], parse_learning, "x").id == 2
    assert parse_one({"id": 3, "name": "c"}, parse_learning, "x").id == 3
    assert parse_one([], parse_learning, "x") is None


@pytest.mark.parametrize("payload", ["text", 3, {"id": 1}, [1, 2]])
def test_unexpected_shapes_are_payload_errors(payload):
    with pytest.raises(PayloadError):
        parse_list(payload, parse_learning, "x")
