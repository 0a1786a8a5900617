import pytest

from support import scratch_registry


@pytest.fixture
def root(tmp_path):
    """A scratch copy of the demo program with an empty issued/ and the TEST-ONLY key."""
    return scratch_registry(tmp_path)
