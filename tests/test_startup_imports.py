"""A web worker loads only what serving pages needs: libraries used by one rare request (single
sign-on's Authlib, Pillow for uploads) are imported by that request, not by every worker at
start-up, which keeps each worker inside issue 11's memory budget."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOADED_ON_DEMAND = ("authlib", "joserfc", "requests", "PIL")


def modules_after_start(tmp_path: Path, **settings: str) -> set[str]:
    probe = (
        "import json, sys; import wsgi; "
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}",
        "FORUM_INSTANCE_PATH": str(tmp_path),
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        **settings,
    }
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_rarely_used_libraries_are_not_loaded_by_a_starting_worker(tmp_path: Path) -> None:
    loaded = modules_after_start(tmp_path)

    assert "flask" in loaded and "sqlalchemy" in loaded
    assert not loaded & set(LOADED_ON_DEMAND)


def test_uploading_an_image_loads_pillow_when_it_is_needed(tmp_path: Path) -> None:
    from forum.uploads import imaging

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x03\x00\x08\xfc\x02\xfe\xa7"
        b"\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    kind = imaging.sniff(png, [])

    processed = imaging.process_image(png, kind, max_pixels=100, thumb_size=10)

    assert (processed.width, processed.height) == (1, 1)
    assert processed.data.startswith(b"\x89PNG")
