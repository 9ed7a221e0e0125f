"""issue 9: ballots leave the audit chain; the chain seals them at the close; submission keys

Revision ID: 0006_i9_ballots
Revises: 0005_i8_money
Create Date: 2026-12-01 09:00:00

- ``ballot.submission_hash``: keyed hash of a submission's idempotency key (unique).
- Existing logs are converted: ``ballot.cast`` and ``ballot.replaced`` events (which gave the
  order of voting) are removed; a process whose vote is closed gets, right after its
  "closed" phase change, one ``ballots.sealed`` event per budget (what closing records now);
  each log is then renumbered and re-hashed, the rewritten events saying so in ``note``.
"""

import datetime as dt
import hashlib
import json

from alembic import op
import sqlalchemy as sa


revision = '0006_i9_ballots'
down_revision = '0005_i8_money'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
NOTE = "re-hashed by migration 0006_i9_ballots: ballot events replaced by the seal of the ballots"

events = sa.table(
    "audit_event",
    sa.column("id", sa.Integer), sa.column("process_id", sa.Integer), sa.column("seq", sa.Integer),
    sa.column("kind", sa.String), sa.column("payload", sa.JSON), sa.column("at", sa.DateTime),
    sa.column("actor", sa.String), sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
    sa.column("note", sa.Text),
)
budgets = sa.table("budget", sa.column("id", sa.Integer), sa.column("process_id", sa.Integer),
                   sa.column("slug", sa.String), sa.column("position", sa.Integer))
ballots = sa.table("ballot", sa.column("budget_id", sa.Integer), sa.column("receipt_hash", sa.String),
                   sa.column("replaced_at", sa.DateTime))


def event_hash(prev, seq, kind, payload, at):
    # pbengine.services.audit.event_hash, kept here so that the revision never changes.
    body = json.dumps({"prev": prev, "seq": seq, "kind": kind, "payload": payload, "at": at},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def seal_payloads(connection, process_id):
    rows = connection.execute(sa.select(budgets.c.id, budgets.c.slug).where(budgets.c.process_id == process_id)
                              .order_by(budgets.c.position, budgets.c.id)).all()
    payloads = []
    for budget_id, slug in rows:
        found = connection.execute(sa.select(ballots.c.receipt_hash, ballots.c.replaced_at)
                                   .where(ballots.c.budget_id == budget_id)).all()
        counted = sorted(r.receipt_hash for r in found if r.replaced_at is None)
        payloads.append({"budget": slug, "ballots": len(counted), "replaced": len(found) - len(counted),
                         "receipts_sha256": hashlib.sha256("".join(f"{h}\n" for h in counted).encode()).hexdigest()})
    return payloads


def convert(connection):
    rows = connection.execute(sa.select(events).order_by(events.c.process_id, events.c.seq, events.c.id)).all()
    by_process = {}
    for row in rows:
        by_process.setdefault(row.process_id, []).append(row)
    for process_id, chain in by_process.items():
        if not any(r.kind.startswith("ballot.") for r in chain):
            continue
        kept = []  # (existing row or None, kind, payload, at, actor)
        for row in chain:
            if row.kind in ("ballot.cast", "ballot.replaced"):
                connection.execute(events.delete().where(events.c.id == row.id))
                continue
            kept.append((row, row.kind, row.payload, row.at, row.actor))
            if row.kind == "phase.changed" and (row.payload or {}).get("to") == "closed":
                for payload in seal_payloads(connection, process_id):
                    kept.append((None, "ballots.sealed", payload, row.at, row.actor))
        prev = GENESIS
        for number, (row, kind, payload, at, actor) in enumerate(kept, start=1):
            at = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(str(at))
            digest = event_hash(prev, number, kind, payload, at.isoformat())
            values = {"seq": number, "prev_hash": prev, "hash": digest, "note": NOTE}
            if row is None:
                connection.execute(events.insert().values(process_id=process_id, kind=kind, payload=payload,
                                                          at=at, actor=actor or "", **values))
            elif (row.seq, row.prev_hash, row.hash) != (number, prev, digest):
                connection.execute(events.update().where(events.c.id == row.id).values(**values))
            prev = digest


def upgrade():
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_ballot_submission_hash'), ['submission_hash'])
    # Renumbering passes through numbers other events still hold: lift the constraint meanwhile.
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_event_process_seq', type_='unique')
    convert(op.get_bind())
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_audit_event_process_seq', ['process_id', 'seq'])


def downgrade():
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ballot_submission_hash'), type_='unique')
        batch_op.drop_column('submission_hash')
