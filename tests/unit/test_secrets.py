"""Secret references: files that are not plain, small, private key files; the loose-permission warning."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from ergen import secrets
from ergen.errors import InputError
from ergen.secrets import resolve


def ref(tmp_path: Path, name: str):
    return resolve(f"file:{name}", base=tmp_path, file="circuits.yaml", field="x.md5_key")


@pytest.fixture(autouse=True)
def fresh_warnings():
    secrets._warned.clear()
    yield
    secrets._warned.clear()


def test_private_key_file_reads_without_warning(tmp_path, caplog):
    f = tmp_path / "k.md5"
    f.write_text("Key-Value-1\n")
    f.chmod(0o600)
    with caplog.at_level(logging.WARNING, logger="ergen.secrets"):
        assert ref(tmp_path, "k.md5").reveal() == "Key-Value-1"
    assert caplog.records == []


@pytest.mark.parametrize("mode,words", [(0o644, "readable by its group and other users"),
                                        (0o640, "readable by its group"), (0o604, "readable by other users"),
                                        (0o622, "writable by its group and other users"),
                                        (0o666, "readable by its group and other users, writable by")])
def test_loose_permissions_are_warned_once_naming_file_and_mode(tmp_path, caplog, mode, words):
    f = tmp_path / "k.md5"
    f.write_text("Key-Value-2\n")
    f.chmod(mode)
    with caplog.at_level(logging.WARNING, logger="ergen.secrets"):
        assert ref(tmp_path, "k.md5").reveal() == "Key-Value-2"
        ref(tmp_path, "k.md5")            # the same file again: no second warning
    assert len(caplog.records) == 1
    msg = caplog.records[0].getMessage()
    assert str(f) in msg and f"mode {mode:04o}" in msg and words in msg and "chmod 600" in msg
    assert "Key-Value-2" not in msg


def test_loose_permission_warning_reaches_stderr_without_logging_setup(tmp_path):
    """The CLI configures no logging: the warning still reaches stderr (logging's last resort)."""
    import subprocess
    import sys
    f = tmp_path / "k.md5"
    f.write_text("Key-Value-3\n")
    f.chmod(0o644)
    code = ("from pathlib import Path; from ergen.secrets import resolve; "
            f"resolve('file:k.md5', base=Path({str(tmp_path)!r}), file='c', field='f')")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(Path(secrets.__file__).parents[1])})
    assert res.returncode == 0, res.stderr
    assert res.stderr.strip() == (f"warning: secret file {f} is readable by its group and other users "
                                  "(mode 0644); chmod 600 it")


def test_nul_in_path_is_a_one_line_error(tmp_path):
    """fuzz: `md5_key: "file:a\\x00b"` raised ValueError (embedded null byte) from open()."""
    with pytest.raises(InputError) as info:
        ref(tmp_path, "a\x00b")
    assert "NUL" in str(info.value) and "\n" not in str(info.value) and "\x00" not in str(info.value)


@pytest.mark.parametrize("name", ["/dev/zero", "/dev/null", "."])
def test_not_a_regular_file_is_refused(tmp_path, name):
    with pytest.raises(InputError, match="regular file|cannot read"):
        ref(tmp_path, name)


def test_fifo_is_refused_without_hanging(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(InputError, match="not a regular file"):
        ref(tmp_path, "pipe")


def test_huge_file_is_refused(tmp_path):
    f = tmp_path / "big"
    f.write_bytes(b"k" * (secrets.MAX_SECRET_FILE + 1))
    f.chmod(0o600)
    with pytest.raises(InputError, match="larger than 64 KiB"):
        ref(tmp_path, "big")


def test_path_with_line_break_stays_on_one_line(tmp_path):
    with pytest.raises(InputError) as info:
        ref(tmp_path, "no\nsuch")
    assert "\n" not in str(info.value) and "no\\nsuch" in str(info.value)


def test_not_utf8_and_empty(tmp_path):
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "bin").chmod(0o600)
    with pytest.raises(InputError, match="not UTF-8"):
        ref(tmp_path, "bin")
    (tmp_path / "empty").write_text("\n")
    (tmp_path / "empty").chmod(0o600)
    with pytest.raises(InputError, match="is empty"):
        ref(tmp_path, "empty")
