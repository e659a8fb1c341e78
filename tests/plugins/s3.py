"""Fixtures for S3 through moto's server over real HTTP, and a storage fixture over every backend."""
from __future__ import annotations

import uuid

import pytest

# Dummy credentials only: moto accepts anything, and nothing must reach a real account.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing-access-key",
    "AWS_SECRET_ACCESS_KEY": "testing-secret-key-do-not-log",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Unset so a developer's own profile, session or config file cannot leak into a test.
_AWS_ENV_TO_CLEAR = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL",
                     "AWS_ENDPOINT_URL_S3", "AWS_CA_BUNDLE")


@pytest.fixture(scope="session")
def aws_test_env(tmp_path_factory):
    """Dummy AWS credentials and region in os.environ for the whole session (inherited by subprocesses)."""
    missing = tmp_path_factory.mktemp("aws") / "absent"
    with pytest.MonkeyPatch.context() as mp:
        for name in _AWS_ENV_TO_CLEAR:
            mp.delenv(name, raising=False)
        for name, value in FAKE_AWS_ENV.items():
            mp.setenv(name, value)
        mp.setenv("AWS_CONFIG_FILE", str(missing))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(missing))
        yield dict(FAKE_AWS_ENV)


@pytest.fixture(scope="session")
def s3_server(aws_test_env) -> str:
    """moto's S3 in a thread on 127.0.0.1 (ephemeral port); yields the endpoint URL for S3_ENDPOINT_URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_client(s3_server):
    """A plain boto3 client on the moto server, for setting up and inspecting buckets behind the code under test."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


@pytest.fixture
def s3_bucket(s3_client) -> str:
    """A fresh, uniquely named, empty bucket."""
    name = f"test-{uuid.uuid4().hex[:20]}"
    s3_client.create_bucket(Bucket=name)
    yield name
    _empty_and_remove(s3_client, name)


@pytest.fixture
def s3_storage(s3_server, s3_bucket):
    """S3Storage on the fresh bucket, under a prefix so prefix handling is always exercised."""
    from storage import S3Storage

    return S3Storage(s3_bucket, "scormproxy-test", endpoint_url=s3_server,
                     connect_timeout=2, read_timeout=10, max_attempts=2)


@pytest.fixture
def local_storage(tmp_path):
    from storage import LocalStorage

    return LocalStorage(str(tmp_path / "storage"))


@pytest.fixture(params=["local", "s3"])
def storage(request):
    """Every backend in turn: tests that take `storage` run once per backend."""
    return request.getfixturevalue(f"{request.param}_storage")


def _empty_and_remove(client, bucket: str) -> None:
    for upload in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    paginator = client.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    client.delete_bucket(Bucket=bucket)
