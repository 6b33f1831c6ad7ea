"""An independent tile client (support/tile_reader.py, no crossfin code) reads the served log."""

from __future__ import annotations

import base64
import json
import urllib.request

from crossfin.api.app import create_app
from crossfin.core.db import Database
from crossfin.core.settings import Settings
from crossfin.parties.models import OrgKind
from support.ledger import fast_append, log_vkey, quiet_settings, serve, sign
from support.parties import make_party
from support.tile_reader import TileClient, root_from_inclusion, tile_index_path


def test_index_paths_follow_the_spec_example() -> None:
    assert tile_index_path(1234067) == "x001/x234/067"
    assert tile_index_path(0) == "000"
    assert tile_index_path(1000) == "x001/000"


def test_tile_reader_recomputes_roots_and_proofs(db: Database, settings: Settings) -> None:
    conf = quiet_settings(settings)
    bank = make_party(db, OrgKind.BANK)
    fast_append(db, 700)
    old_size, old_root = sign(db, conf)
    fast_append(db, 1300 - old_size + 3)  # past five full level-0 tiles
    size, root = sign(db, conf)
    with serve(create_app(conf, db)) as base:
        client = TileClient(f"{base}/v1/log", bank.headers)
        head = client.checkpoint(log_vkey(conf))
        assert (head.origin, head.size, head.root) == (conf.log_origin, size, root)
        assert client.root(size) == root
        assert "tile/1/000.p/5" in client.fetched  # hashes of five full level-0 tiles
        for index in (0, 255, 256, old_size - 1, 1279, size - 1):
            proof = client.inclusion_proof(index, size)
            leaf = client.leaf_hash(index, size)
            assert root_from_inclusion(leaf, index, size, proof) == root
            served = _get_json(
                f"{base}/v1/log/proof/inclusion?index={index}&size={size}", bank.headers
            )
            assert [base64.b64decode(h) for h in served["proof"]] == proof
        # An older checkpoint's partial tiles (narrower than today's) are still served.
        older = TileClient(f"{base}/v1/log", bank.headers)
        assert older.root(old_size) == old_root
        assert f"tile/0/002.p/{old_size - 512}" in older.fetched


def _get_json(url: str, headers: dict[str, str]) -> dict[str, object]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]
