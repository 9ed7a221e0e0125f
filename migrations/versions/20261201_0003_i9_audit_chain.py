"""issue 9: one audit chain per process, checked by the database

Revision ID: 0003_i9_chain
Revises: 0002
Create Date: 2026-12-01 08:00:00

Concurrent appends could read the same last event and fork the chain (duplicate sequence
numbers). Existing logs are converted first: a process whose log is not exactly
1, 2, ... n with each event holding the hash of the one before is renumbered in
(seq, id) order and re-hashed, and each rewritten event says so in its ``note``.
Then ``(process_id, seq)`` becomes unique (its index replaces the one on process_id).
"""

import hashlib
import json

from alembic import op
import sqlalchemy as sa


revision = '0003_i9_chain'
down_revision = '0002'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
NOTE = "renumbered and re-hashed by migration 0003_i9_chain: the log had forked"

events = sa.table(
    "audit_event",
    sa.column("id", sa.Integer), sa.column("process_id", sa.Integer), sa.column("seq", sa.Integer),
    sa.column("kind", sa.String), sa.column("payload", sa.JSON), sa.column("at", sa.DateTime),
    sa.column("prev_hash", sa.String), sa.column("hash", sa.String), sa.column("note", sa.Text),
)


def event_hash(prev, seq, kind, payload, at):
    # The same function as pbengine.services.audit.event_hash (kept here so the revision never changes).
    body = json.dumps({"prev": prev, "seq": seq, "kind": kind, "payload": payload, "at": at},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def rechain(connection):
    rows = connection.execute(sa.select(events).order_by(events.c.process_id, events.c.seq, events.c.id)).all()
    by_process = {}
    for row in rows:
        by_process.setdefault(row.process_id, []).append(row)
    for chain in by_process.values():
        prev, intact = GENESIS, True
        for number, row in enumerate(chain, start=1):
            if row.seq != number or row.prev_hash != prev:
                intact = False
                break
            prev = row.hash
        if intact:
            continue
        prev = GENESIS
        for number, row in enumerate(chain, start=1):
            digest = event_hash(prev, number, row.kind, row.payload, row.at.isoformat())
            note = row.note if row.seq == number and row.prev_hash == prev and row.hash == digest else NOTE
            connection.execute(events.update().where(events.c.id == row.id)
                               .values(seq=number, prev_hash=prev, hash=digest, note=note))
            prev = digest


def upgrade():
    rechain(op.get_bind())
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_process_id'))
        batch_op.create_unique_constraint('uq_audit_event_process_seq', ['process_id', 'seq'])


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('uq_audit_event_process_seq', type_='unique')
        batch_op.create_index(batch_op.f('ix_audit_event_process_id'), ['process_id'], unique=False)
