"""Hostile releases, hashes, URLs and concurrent runs: each gives a one-line error and exit 1.

Never a traceback, a hang, or a file written (or read) outside the target. Zips are built
here from a real release's files, then made hostile one way each.
"""

import hashlib
import http.server
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from cli_process import start_cli
from inference_energy import verify as verify_module
from inference_energy.cli import main
from inference_energy.loader import load
from inference_energy.verify import ReleaseError, format_sums, verify_release
from package_files import copy_package, released_copy


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return released_copy(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def folder(release, tmp_path) -> Path:
    return Path(shutil.copytree(release.folder, tmp_path / release.folder.name))


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_zip(target: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return target


def verify_cli(capsys, *args) -> str:
    """Run `verify`, require exit 1 and one line, return it."""
    assert main(["verify", *map(str, args)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("verify failed:"), text
    return lines[0]


# ---------------------------------------------------------------------------- zips


def test_duplicate_entry_names_are_refused(release, tmp_path, capsys):
    files = files_of(release.folder)
    entries = list(files.items()) + [("tables/gpus.csv", b"gpu,precision\nfake,FP32\n")]
    with pytest.warns(UserWarning, match="Duplicate name"):
        hostile = write_zip(tmp_path / "dup.zip", entries)
    assert "(zip-duplicate-entry)" in verify_cli(capsys, hostile)


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/tmp/evil-absolute.txt", "tables\\..\\..\\evil.txt", "tables/../../evil.txt"]
)
def test_entries_outside_the_release_are_refused_and_nothing_is_written(release, tmp_path, capsys, name):
    hostile = write_zip(tmp_path / "x.zip", list(files_of(release.folder).items()) + [(name, b"owned\n")])
    assert "(zip-unsafe-path)" in verify_cli(capsys, hostile)
    with pytest.raises(ReleaseError, match="zip-unsafe-path"):
        load(hostile)
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil-absolute.txt").exists()


def test_a_symlink_entry_is_refused(release, tmp_path, capsys):
    link = zipfile.ZipInfo("tables/link.csv")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    hostile = write_zip(tmp_path / "link.zip", list(files_of(release.folder).items()) + [(link, b"/etc/passwd")])
    assert "(zip-link)" in verify_cli(capsys, hostile)


def test_an_encrypted_entry_is_refused(release, tmp_path, capsys):
    hostile = write_zip(tmp_path / "enc.zip", list(files_of(release.folder).items()) + [("notes.txt", b"x" * 100)])
    data = bytearray(hostile.read_bytes())  # zipfile does not write encrypted entries: set the flag by hand
    central = data.rindex(b"PK\x01\x02")
    local = data.rindex(b"PK\x03\x04")
    data[central + 8] |= 0x1
    data[local + 6] |= 0x1
    hostile.write_bytes(bytes(data))
    assert "(zip-encrypted)" in verify_cli(capsys, hostile)


def test_an_unknown_compression_method_is_refused(release, tmp_path, capsys):
    hostile = write_zip(tmp_path / "m.zip", list(files_of(release.folder).items()) + [("notes.txt", b"x" * 100)])
    data = bytearray(hostile.read_bytes())
    central = data.rindex(b"PK\x01\x02")  # the last central-directory entry: notes.txt
    data[central + 10 : central + 12] = (99).to_bytes(2, "little")  # method 99 (AES, or anything unknown)
    hostile.write_bytes(bytes(data))
    assert "(zip-unsupported-method)" in verify_cli(capsys, hostile)
    lzma = zipfile.ZipInfo("notes.txt")
    lzma.compress_type = zipfile.ZIP_LZMA
    other = write_zip(tmp_path / "lzma.zip", list(files_of(release.folder).items()) + [(lzma, b"x" * 100)])
    assert "(zip-unsupported-method)" in verify_cli(capsys, other)


def test_a_zip_bomb_is_refused_by_its_ratio_without_unpacking(release, tmp_path, capsys):
    bomb = write_zip(tmp_path / "bomb.zip", list(files_of(release.folder).items()) + [("zeros.bin", bytes(20 << 20))])
    assert bomb.stat().st_size < 2 << 20  # 20 MiB of zeros in a small zip
    assert "(zip-ratio)" in verify_cli(capsys, bomb)


def test_oversized_members_and_totals_are_refused(release, tmp_path, capsys, monkeypatch):
    hostile = write_zip(tmp_path / "big.zip", list(files_of(release.folder).items()))
    monkeypatch.setattr(verify_module, "MAX_MEMBER_BYTES", 100_000)  # the database is 3 MB
    assert "(zip-too-large)" in verify_cli(capsys, hostile)
    monkeypatch.setattr(verify_module, "MAX_MEMBER_BYTES", 1 << 30)
    monkeypatch.setattr(verify_module, "MAX_TOTAL_BYTES", 1_000_000)
    assert "(zip-too-large)" in verify_cli(capsys, hostile)


def test_a_zip_without_a_descriptor_is_a_clear_error(tmp_path, capsys):
    other = write_zip(tmp_path / "other.zip", [("a/readme.txt", b"hi"), ("b/data.csv", b"x\n1\n")])
    assert "no datapackage.json at the root of the zip" in verify_cli(capsys, other)


def test_a_release_before_2_with_a_top_level_folder_still_verifies(release, tmp_path):
    entries = [(f"old-1.1.0/{rel}", data) for rel, data in files_of(release.folder).items()]
    old = write_zip(tmp_path / "old-1.1.0.zip", entries)
    assert verify_release(old, validate=False) == []


# ---------------------------------------------------------------------------- hashes


def regenerate_hashes(folder: Path) -> None:
    """What a forger does: change a table, then rewrite every inner hash to match."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for entry in descriptor["resources"] + descriptor["artifacts"]:
        data = (folder / entry["path"]).read_bytes()
        entry["bytes"], entry["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    (folder / "SHA256SUMS").write_text(format_sums(folder), encoding="utf-8")


def test_regenerated_inner_hashes_are_caught_by_the_published_zip_hash(release, folder, tmp_path, capsys):
    path = folder / "tables/gpus.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("A100,FP16,78.00,", "A100,FP16,98.00,"), encoding="utf-8")
    regenerate_hashes(folder)
    assert verify_release(folder, validate=False) == []  # inside, everything agrees: only the zip hash can tell
    forged = tmp_path / "dist" / release.zip.name
    forged.parent.mkdir()
    write_zip(forged, list(files_of(folder).items()))
    shutil.copyfile(release.zip.with_name(release.zip.name + ".sha256"), forged.with_name(forged.name + ".sha256"))
    assert [p.code for p in verify_release(forged, validate=False)] == ["zip-hash-mismatch"]
    assert [p.code for p in verify_release(forged, validate=False, sha256=release.zip_sha256)] == ["zip-hash-mismatch"]
    assert main(["verify", str(forged), "--no-validate"]) == 1
    assert "differs from the published" in capsys.readouterr().out
    assert verify_release(release.zip, validate=False, sha256=release.zip_sha256.upper()) == []


def test_a_bad_sha256_argument_or_file_is_a_one_line_error(release, tmp_path, capsys):
    assert "neither 64 hex digits nor a readable file" in verify_cli(capsys, release.zip, "--sha256", "abc")
    bad = tmp_path / "x.sha256"
    bad.write_bytes(b"\xff\xfe not a hash\n")
    assert [p.code for p in verify_release(release.zip, validate=False, sha256=str(bad))] == ["zip-hash-malformed"]


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '"a string"',
        "42",
        '{"resources": {"a": 1}}',
        '{"resources": [1, "x"]}',
        "{bad json",
        '{"resources": [{"name": "x", "path": "../../../etc/passwd"}]}',
    ],
)
def test_a_descriptor_of_the_wrong_shape_is_one_located_problem(folder, capsys, text):
    (folder / "datapackage.json").write_text(text, encoding="utf-8")
    codes = {p.code for p in verify_release(folder)}  # validation is skipped: no descriptor to validate
    assert codes & {"descriptor-invalid", "path-outside-release"} and codes <= {
        "descriptor-invalid",
        "path-outside-release",
        "checksum-mismatch",
    }
    assert main(["verify", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "Traceback" not in out and "root:" not in out  # /etc/passwd is never read
    assert "datapackage.json:" in out


def test_sha256sums_in_latin_1_gives_located_problems(folder, capsys):
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    sums[2] = sums[2] + "é"
    (folder / "SHA256SUMS").write_bytes(("\n".join(sums) + "\n").encode("latin-1"))
    problems = verify_release(folder, validate=False)
    assert ("SHA256SUMS", 3, "checksums-malformed") in {(p.file, p.line, p.code) for p in problems}
    assert main(["verify", str(folder), "--no-validate"]) == 1
    out = capsys.readouterr().out
    assert "SHA256SUMS:3:" in out and "\\xe9" in out and "Traceback" not in out


def test_a_symlink_and_a_fifo_in_a_folder_are_reported_never_opened(folder):
    (folder / "tables/secret.csv").symlink_to("/proc/self/environ")
    os.mkfifo(folder / "tables/pipe.csv")
    # in a subprocess with a timeout: opening the FIFO would hang
    code = (
        "import sys; from inference_energy.verify import verify_release; "
        "print(sorted((p.file, p.code) for p in verify_release(sys.argv[1])))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = eval(done.stdout)
    assert ("tables/secret.csv", "release-link") in found and ("tables/pipe.csv", "release-file-special") in found
    assert "PATH=" not in done.stdout


def test_a_missing_path_is_a_one_line_error(tmp_path, capsys):
    assert "no such file or folder" in verify_cli(capsys, tmp_path / "nothing.zip")


# ---------------------------------------------------------------------------- URLs


class Server:
    """A local HTTP server on 127.0.0.1 with one behaviour per path."""

    def __init__(self, release_zip: Path):
        zip_bytes = release_zip.read_bytes()
        stop = self.stop_event = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/release.zip":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(zip_bytes)))
                    self.end_headers()
                    self.wfile.write(zip_bytes)
                elif self.path == "/stall.zip":  # headers, then nothing
                    self.send_response(200)
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    self.wfile.flush()
                    stop.wait(30)
                elif self.path == "/huge.zip":
                    self.send_response(200)
                    self.send_header("Content-Length", str(10 << 30))
                    self.end_headers()
                elif self.path == "/endless.zip":  # no length, more bytes than the limit
                    self.send_response(200)
                    self.end_headers()
                    try:
                        for _ in range(64):
                            self.wfile.write(bytes(1 << 16))
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client stopped reading at its limit, as it should
                elif self.path == "/to-file.zip":
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                elif self.path == "/to-ftp.zip":
                    self.send_response(301)
                    self.send_header("Location", "ftp://127.0.0.1/release.zip")
                    self.end_headers()
                elif self.path == "/to-release.zip":
                    self.send_response(302)
                    self.send_header("Location", "/release.zip")
                    self.end_headers()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.stop_event.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server(release):
    serving = Server(release.zip)
    yield serving
    serving.close()


def test_a_url_loads_and_a_same_scheme_redirect_is_followed(server, release):
    assert len(load(server.url + "/release.zip")["gpus"]) == len(load(release.zip)["gpus"])
    assert "gpus" in load(server.url + "/to-release.zip")


def test_a_stalling_server_times_out(server):
    started = time.monotonic()
    with pytest.raises(ReleaseError, match="download failed"):
        load(server.url + "/stall.zip", timeout=1)
    assert time.monotonic() - started < 15


@pytest.mark.parametrize("path", ["/huge.zip", "/endless.zip"])
def test_a_download_over_the_size_limit_is_refused(server, path):
    with pytest.raises(ReleaseError, match="limit of 1000000"):
        load(server.url + path, max_bytes=1_000_000, timeout=5)


@pytest.mark.parametrize("path", ["/to-file.zip", "/to-ftp.zip"])
def test_a_redirect_to_another_scheme_is_refused(server, path):
    with pytest.raises(ReleaseError, match="only http\\(s\\) redirects are followed"):
        load(server.url + path, timeout=5)


# ---------------------------------------------------------------------------- concurrency


def run_at_once(*commands: list[str]) -> list[subprocess.CompletedProcess]:
    """The commands started together, each in a process of its own (cli_process), and waited for."""
    running = [start_cli(c) for c in commands]
    return [r.wait(timeout=600) for r in running]


def test_two_builds_at_once_both_succeed_and_the_database_is_whole(tmp_path):
    package = copy_package(tmp_path / "package")
    out = tmp_path / "build" / "db.duckdb"
    command = ["build", "--package", str(package), "--out", str(out)]
    results = run_at_once(command, command)
    for result in results:
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    con = duckdb.connect(str(out), read_only=True)
    try:
        assert con.execute("select count(*) from efficiency_trend").fetchone()[0] >= 1
        lines = (package / "tables/cv_models.csv").read_text(encoding="utf-8").count("\n")
        assert con.execute("select count(*) from cv_models").fetchone()[0] == lines - 1
    finally:
        con.close()
    assert sorted(p.name for p in out.parent.iterdir()) == ["db.duckdb", "parquet"]  # no temp or lock file left


def test_two_releases_at_once_one_is_made_the_other_refused(tmp_path):
    package = copy_package(tmp_path / "package")
    dist = tmp_path / "dist"
    command = ["release", "--package", str(package), "--dist", str(dist)]
    results = run_at_once(command, command)
    assert sorted(r.returncode for r in results) == [0, 1]
    refused = next(r for r in results if r.returncode == 1)
    assert "Traceback" not in refused.stderr and "already exists: a release is never overwritten" in refused.stderr
    [zip_path] = dist.glob("*.zip")
    assert verify_release(zip_path) == []
    assert not list(dist.glob(".*"))  # no temp or lock file left
