"""Two tenants on one real gateway: each key sees only its tenant's jobs, glossaries, lexicons and call rules;
another tenant's job is 404 to read, cancel or download; and a database made before tenancy keeps working (its
rows belong to the tenant "default", its queued jobs still run after the restart)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from api.stores import aws_tasks  # noqa: F401 - its table on the metadata, as when the aws module is mounted

A, B, PLAIN = "sk-acme-1111", "sk-beta-2222", "sk-plain-3333"
KEYS = [f"acme:{A}", f"beta:{B}", PLAIN]
PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>Xarelto</grapheme><phoneme>zəˈɹɛltoʊ</phoneme></lexeme>
</lexicon>"""


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_settings(tmp: Path, **extra: object) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp / 'db.sqlite'}", artifact_dir=tmp / "artifacts", api_keys=KEYS,
                    modules=["nlp", "translate", "tts", "calls"], bots={"sidecars": False}, voice={"prewarm": False},
                    **extra)  # fmt: skip


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("tenants")
    with TestClient(create_app(make_settings(tmp, job_workers=0))) as client:  # jobs stay queued: no model runs
        yield client


def test_jobs_belong_to_their_tenant(gateway: TestClient) -> None:
    job = gateway.post("/v1/embeddings/jobs", json={"input": ["hello"]}, headers=auth(A))
    assert job.status_code == 202
    job_id = job.json()["id"]
    other = gateway.post("/v1/embeddings/jobs", json={"input": ["other"]}, headers=auth(B)).json()["id"]

    assert gateway.get(f"/v1/jobs/{job_id}", headers=auth(A)).status_code == 200
    assert [j["id"] for j in gateway.get("/v1/jobs", headers=auth(A)).json()] == [job_id]
    assert [j["id"] for j in gateway.get("/v1/jobs", headers=auth(B)).json()] == [other]
    assert gateway.get("/v1/jobs", headers=auth(PLAIN)).json() == []  # a bare key: the tenant "default"
    elsewhere = [("GET", f"/v1/jobs/{job_id}"), ("DELETE", f"/v1/jobs/{job_id}"),
                 ("GET", f"/v1/jobs/{job_id}/files/result.json"), ("GET", f"/v1/calls/{job_id}/results")]  # fmt: skip
    for method, path in elsewhere:
        refused = gateway.request(method, path, headers=auth(B))
        assert refused.status_code == 404, (method, path, refused.text)
    outputs = gateway.app.state.jobs.job_dir(job_id) / "outputs"  # a file the job wrote
    outputs.mkdir(parents=True)
    (outputs / "note.txt").write_text("acme's")
    assert gateway.get(f"/v1/jobs/{job_id}/files/note.txt", headers=auth(A)).text == "acme's"
    assert gateway.get(f"/v1/jobs/{job_id}/files/note.txt", headers=auth(B)).status_code == 404
    # B's refused cancel left A's job alone; A may cancel it.
    assert gateway.get(f"/v1/jobs/{job_id}", headers=auth(A)).json()["status"] == "queued"
    assert gateway.delete(f"/v1/jobs/{job_id}", headers=auth(A)).json()["status"] == "cancelled"


def test_x_tenant_cannot_borrow_another_tenant(gateway: TestClient) -> None:
    refused = gateway.get("/v1/jobs", headers={**auth(A), "X-Tenant": "beta"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "tenant_mismatch"
    assert gateway.get("/v1/jobs", headers={**auth(A), "X-Tenant": "acme"}).status_code == 200


def test_glossaries_are_per_tenant(gateway: TestClient) -> None:
    csv = b"warfarin,warfarina\n"
    for key in (A, B):  # the same name in two tenants: two glossaries
        made = gateway.post("/v1/glossaries", data={"name": "clinic", "source": "en", "target": "es"},
                            files={"file": ("g.csv", csv)}, headers=auth(key))  # fmt: skip
        assert made.status_code == 201, made.text
    made = gateway.post("/v1/glossaries", data={"name": "acme-only", "source": "en", "target": "es"},
                        files={"file": ("g.csv", csv)}, headers=auth(A))  # fmt: skip
    assert made.status_code == 201
    assert [g["name"] for g in gateway.get("/v1/glossaries", headers=auth(A)).json()["data"]] == ["acme-only", "clinic"]
    assert [g["name"] for g in gateway.get("/v1/glossaries", headers=auth(B)).json()["data"]] == ["clinic"]
    assert gateway.get("/v1/glossaries/acme-only", headers=auth(B)).status_code == 404
    assert gateway.delete("/v1/glossaries/acme-only", headers=auth(B)).status_code == 404
    assert gateway.delete("/v1/glossaries/clinic", headers=auth(B)).status_code == 200
    assert gateway.get("/v1/glossaries/clinic", headers=auth(A)).status_code == 200  # A's survived B's delete


def test_lexicons_are_per_tenant(gateway: TestClient) -> None:
    put = gateway.put("/v1/lexicons/med", content=PLS, headers={**auth(A), "content-type": "application/pls+xml"})
    assert put.status_code in (200, 201), put.text
    assert [x["name"] for x in gateway.get("/v1/lexicons", headers=auth(A)).json()["data"]] == ["med"]
    assert gateway.get("/v1/lexicons", headers=auth(B)).json()["data"] == []
    assert gateway.get("/v1/lexicons/med", headers=auth(B)).status_code == 404
    assert gateway.delete("/v1/lexicons/med", headers=auth(B)).status_code == 404
    speech = gateway.post("/v1/speech", json={"text": "Xarelto", "lexicons": ["med"]}, headers=auth(B))
    assert speech.status_code in (400, 404, 422) and "med" in speech.text  # B cannot use A's lexicon by name


def test_call_rules_are_per_tenant(gateway: TestClient) -> None:
    rule = {"phrases": '"refund"', "party": "customer"}
    assert gateway.put("/v1/calls/rules/refund", json=rule, headers=auth(A)).status_code == 200
    assert [r["name"] for r in gateway.get("/v1/calls/rules", headers=auth(A)).json()["rules"]] == ["refund"]
    assert gateway.get("/v1/calls/rules", headers=auth(B)).json()["rules"] == []
    assert gateway.delete("/v1/calls/rules/refund", headers=auth(B)).status_code == 404


# -- a database from before tenancy ------------------------------------------------------------------------

OLD_SCHEMA = """
CREATE TABLE jobs (id VARCHAR(32) NOT NULL, kind VARCHAR(100) NOT NULL, status VARCHAR(16) NOT NULL,
  progress FLOAT NOT NULL, message TEXT, params JSON NOT NULL, result JSON, error JSON, attempts INTEGER NOT NULL,
  cancel_requested BOOLEAN NOT NULL, created_at DATETIME NOT NULL, started_at DATETIME, finished_at DATETIME,
  PRIMARY KEY (id));
CREATE INDEX ix_jobs_created_at ON jobs (created_at);
CREATE INDEX ix_jobs_status ON jobs (status);
CREATE INDEX ix_jobs_kind ON jobs (kind);
CREATE TABLE nlp_glossaries (name VARCHAR(64) NOT NULL, source VARCHAR(8), target VARCHAR(8), entries JSON NOT NULL,
  size INTEGER NOT NULL, modified DATETIME NOT NULL, PRIMARY KEY (name));
CREATE TABLE tts_lexicons (name VARCHAR(20) NOT NULL, content TEXT NOT NULL, language VARCHAR(35) NOT NULL,
  alphabet VARCHAR(16) NOT NULL, lexemes INTEGER NOT NULL, size INTEGER NOT NULL, modified DATETIME NOT NULL,
  PRIMARY KEY (name));
CREATE TABLE aws_tasks (kind VARCHAR(32) NOT NULL, name VARCHAR(200) NOT NULL, job_id VARCHAR(32) NOT NULL,
  request JSON NOT NULL, created DATETIME NOT NULL, PRIMARY KEY (kind, name));
CREATE INDEX ix_aws_tasks_job_id ON aws_tasks (job_id);
INSERT INTO jobs VALUES ('0ld0000000000000000000000000queued', 'nlp.embeddings', 'queued', 0.0, NULL,
  '{"texts": ["from", "before"]}', NULL, NULL, 0, 0, '2026-01-01 10:00:00.000000', NULL, NULL);
INSERT INTO nlp_glossaries VALUES ('legacy', 'en', 'es', '[{"source": "warfarin", "target": "warfarina"}]', 1,
  '2026-01-01 10:00:00.000000');
INSERT INTO tts_lexicons VALUES ('oldlex', 'x', 'en-US', 'ipa', 1, 1, '2026-01-01 10:00:00.000000');
INSERT INTO aws_tasks VALUES ('polly', 't1', 'j1', '{}', '2026-01-01 10:00:00.000000');
"""


def test_a_database_from_before_tenancy_keeps_working(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        db.executescript(OLD_SCHEMA)
    old_job = "0ld0000000000000000000000000queued"
    with TestClient(create_app(make_settings(tmp_path, job_workers=1))) as client:
        # The old rows are the tenant "default"'s (a bare key), invisible to acme's key.
        assert [g["name"] for g in client.get("/v1/glossaries", headers=auth(PLAIN)).json()["data"]] == ["legacy"]
        assert client.get("/v1/glossaries", headers=auth(A)).json()["data"] == []
        assert [x["name"] for x in client.get("/v1/lexicons", headers=auth(PLAIN)).json()["data"]] == ["oldlex"]
        assert client.get(f"/v1/jobs/{old_job}", headers=auth(A)).status_code == 404
        deadline = time.monotonic() + 180  # the queued job from before the upgrade runs to the end
        while (job := client.get(f"/v1/jobs/{old_job}", headers=auth(PLAIN)).json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "succeeded" and job["result"]["count"] == 2, job
        # New glossaries can take the same name in another tenant (the key is now (tenant, name)).
        made = client.post("/v1/glossaries", data={"name": "legacy", "source": "en", "target": "es"},
                           files={"file": ("g.csv", b"a,b\n")}, headers=auth(A))  # fmt: skip
        assert made.status_code == 201
    with sqlite3.connect(tmp_path / "db.sqlite") as db:
        assert db.execute("SELECT tenant, kind, name FROM aws_tasks").fetchall() == [("default", "polly", "t1")]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not any(t.endswith("_before_tenants") for t in tables)
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_jobs_tenant", "ix_aws_tasks_job_id"} <= indexes
    # A second start on the migrated database changes nothing.
    with TestClient(create_app(make_settings(tmp_path, job_workers=0))) as client:
        assert client.get(f"/v1/jobs/{old_job}", headers=auth(PLAIN)).json()["status"] == "succeeded"
        assert len(client.get("/v1/glossaries", headers=auth(A)).json()["data"]) == 1


def test_key_entries_are_checked_at_start_up() -> None:
    from pydantic import ValidationError

    from api.tenancy import key_tenants, match_key

    with pytest.raises(ValidationError, match="tenant:key"):
        Settings(api_keys=["bad tenant!:sk-1"])
    keys = key_tenants(KEYS)
    assert keys == [(A, "acme"), (B, "beta"), (PLAIN, "default")]
    found = [match_key(k, keys) for k in (A, B, PLAIN, "sk-acme-111", "", None)]
    assert found == ["acme", "beta", "default", None, None, None]
