"""A boto3 client that counts the HTTP requests it sends: how cache tests see S3 traffic."""
from __future__ import annotations

import collections

import boto3
from botocore.config import Config


def counting_client(endpoint: str, **config) -> tuple[object, collections.Counter]:
    """A boto3 client whose every HTTP request sent is counted by operation name."""
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          config=Config(s3={"addressing_style": "path"}, **config))
    sent: collections.Counter = collections.Counter()
    client.meta.events.register("before-send.s3", lambda event_name, **_: sent.update([event_name.split(".")[-1]]))
    return client, sent
