"""A 200 MB object goes up and comes down (S3 and the cache) with bounded memory, measured in a fresh process."""
from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from storage import S3Storage

MiB = 1024 * 1024
OBJECT_MIB = 200
# Peak RSS growth allowed while streaming it, well under the object's size.
MAX_GROWTH_MIB = 60
REPO_ROOT = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter so that nothing the test process allocated (moto holds the
# object) counts, and so ru_maxrss measures only these reads.
READER = textwrap.dedent("""
    import hashlib, json, resource, sys
    from storage import ReadThroughCache, S3Storage

    endpoint, bucket, prefix, cache_dir = sys.argv[1:5]
    MiB = 1024 * 1024
    s3 = S3Storage(bucket, prefix, endpoint_url=endpoint)
    cache = ReadThroughCache(s3, cache_dir, max_bytes=1024 * MiB, max_object_bytes=512 * MiB)

    def sha(reader):
        digest = hashlib.sha256()
        with reader:
            for chunk in reader:
                digest.update(chunk)
        return digest.hexdigest()

    # Warm every code path on a small object so imports and pools are in the baseline.
    sha(cache.open("warm.bin")); sha(s3.open("warm.bin")); cache.local_path("warm.bin")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "direct": sha(s3.open("big.bin")),
        "fetched": sha(cache.open("big.bin")),
        "from_disk": sha(cache.open("big.bin")),
        "middle": hashlib.sha256(cache.open("big.bin", start=100 * MiB, end=101 * MiB - 1).read()).hexdigest(),
    }
    result["growth_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
    print(json.dumps(result))
""")


class GeneratedStream(io.RawIOBase):
    """OBJECT_MIB distinct 1 MiB blocks, made on the fly and hashed as they are read."""

    def __init__(self, mib: int):
        self._block = os.urandom(MiB)
        self._left = mib
        self._index = 0
        self._pending = b""
        self.sha256 = hashlib.sha256()
        self.middle = None

    def readable(self):
        return True

    def read(self, size=-1):
        if not self._pending and self._left:
            self._pending = self._index.to_bytes(8, "big") + self._block[8:]
            if self._index == 100:
                self.middle = hashlib.sha256(self._pending).hexdigest()
            self.sha256.update(self._pending)
            self._index += 1
            self._left -= 1
        data, self._pending = self._pending[:size], self._pending[size:]
        return data


def test_a_200_mb_object_streams_with_bounded_memory(s3_server, s3_bucket, tmp_path):
    storage = S3Storage(s3_bucket, "mem", endpoint_url=s3_server)
    storage.put_bytes("warm.bin", os.urandom(3 * MiB))
    source = GeneratedStream(OBJECT_MIB)
    stored = storage.put("big.bin", source, size=OBJECT_MIB * MiB)
    assert stored.size == OBJECT_MIB * MiB and "-" in stored.etag  # went up in parts

    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    run = subprocess.run([sys.executable, "-c", READER, s3_server, s3_bucket, "mem", str(tmp_path / "cache")],
                         cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    expected = source.sha256.hexdigest()
    assert (result["direct"], result["fetched"], result["from_disk"]) == (expected, expected, expected)
    assert result["middle"] == source.middle
    assert result["growth_kib"] < MAX_GROWTH_MIB * 1024, f"peak RSS grew by {result['growth_kib'] // 1024} MiB"
    storage.delete_prefix("big")  # moto keeps objects in this process's memory
