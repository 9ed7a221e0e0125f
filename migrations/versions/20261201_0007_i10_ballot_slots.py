"""issue 10: ballots no longer point at voter codes (slots); replaced ballots keep only their receipt

Revision ID: 0007_i10_slots
Revises: 0006_i9_ballots
Create Date: 2026-12-01 11:00:00

- ``ballot`` is rebuilt: random ids (uuid hex, not sequential), no ``voter_code_id``, no
  ``replaced_at``; ``slot`` = HMAC(code key, budget, the code's hash) for the ballots of a
  process still voting (so its voters can still re-vote), null otherwise; ``cast_at`` keeps the
  day only. SQLite stores the table ``WITHOUT ROWID`` (rows in the order of their random id);
  the rows are inserted in that order on PostgreSQL too.
- Replaced ballots move to ``replaced_ballot``: receipt hash, budget and submission hash; their
  contents and times are dropped.
- ``voter_code.first_used_at`` (a time of use to the microsecond) becomes ``voted``.

Computing the slots needs the voter-code key: ``config.attributes["code_key"]``, or
``PBENGINE_CODE_KEY``, or ``pbengine.code_key`` of the ini file alembic runs with. It is
needed only when a process is voting with ballots cast with codes.

The downgrade restores the old columns, not the links: they are gone (so a process still
voting through a downgrade loses "one ballot per code" for the ballots cast before it).
"""

import datetime as dt
import hashlib
import hmac
import os
import uuid

from alembic import context, op
import sqlalchemy as sa


revision = '0007_i10_slots'
down_revision = '0006_i9_ballots'
branch_labels = None
depends_on = None

old_ballots = sa.table(
    "ballot", sa.column("id", sa.Integer), sa.column("budget_id", sa.Integer), sa.column("voter_code_id", sa.Integer),
    sa.column("receipt_hash", sa.String), sa.column("content", sa.JSON), sa.column("channel", sa.String),
    sa.column("submission_hash", sa.String), sa.column("cast_at", sa.DateTime), sa.column("replaced_at", sa.DateTime),
)
codes = sa.table("voter_code", sa.column("id", sa.Integer), sa.column("code_hash", sa.String),
                 sa.column("first_used_at", sa.DateTime), sa.column("voted", sa.Boolean))
budgets = sa.table("budget", sa.column("id", sa.Integer), sa.column("process_id", sa.Integer))
processes = sa.table("process", sa.column("id", sa.Integer), sa.column("phase", sa.String))


def slot(key, budget_id, code_hash):
    # pbengine.services.slots.slot, kept here so that the revision never changes.
    message = "\x1f".join(("ballot-slot", str(budget_id), code_hash)).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def code_key():
    config = context.config
    key = config.attributes.get("code_key") or os.environ.get("PBENGINE_CODE_KEY")
    if not key and config.config_file_name:
        from pbengine.settings import load_settings

        key = load_settings(config.config_file_name).get("pbengine.code_key")
    if not key:
        raise RuntimeError("migration 0007_i10_slots needs the voter-code key (PBENGINE_CODE_KEY) to keep "
                           "re-voting possible for the processes that are voting")
    return key


def day(value):
    value = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def new_tables():
    ballot = op.create_table(
        'ballot',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.Column('slot', sa.String(length=64), nullable=True),
        sa.Column('receipt_hash', sa.String(length=64), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('submission_hash', sa.String(length=64), nullable=True),
        sa.Column('cast_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_ballot_budget_id_budget'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
        sa.UniqueConstraint('receipt_hash', name=op.f('uq_ballot_receipt_hash')),
        sa.UniqueConstraint('slot', name=op.f('uq_ballot_slot')),
        sa.UniqueConstraint('submission_hash', name=op.f('uq_ballot_submission_hash')),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_ballot_budget_id'), 'ballot', ['budget_id'], unique=False)
    replaced = op.create_table(
        'replaced_ballot',
        sa.Column('receipt_hash', sa.String(length=64), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.Column('submission_hash', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_replaced_ballot_budget_id_budget'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('receipt_hash', name=op.f('pk_replaced_ballot')),
        sa.UniqueConstraint('submission_hash', name=op.f('uq_replaced_ballot_submission_hash')),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f('ix_replaced_ballot_budget_id'), 'replaced_ballot', ['budget_id'], unique=False)
    return ballot, replaced


def upgrade():
    connection = op.get_bind()
    # Read everything first: on SQLite, rebuilding voter_code (below) with foreign keys on would
    # null the old ballots' voter_code_id before their slots are computed.
    rows = connection.execute(sa.select(old_ballots)).all()
    phase = dict(connection.execute(sa.select(budgets.c.id, processes.c.phase)
                                    .join(processes, processes.c.id == budgets.c.process_id)).all())
    hashes = dict(connection.execute(sa.select(codes.c.id, codes.c.code_hash)).all())
    key = None
    current, replaced = [], []
    for row in rows:
        if row.replaced_at is not None:
            replaced.append({"receipt_hash": row.receipt_hash, "budget_id": row.budget_id,
                             "submission_hash": row.submission_hash})
            continue
        value = None
        if row.voter_code_id is not None and phase.get(row.budget_id) == "voting":
            key = key or code_key()
            value = slot(key, row.budget_id, hashes[row.voter_code_id])
        current.append({"id": uuid.uuid4().hex, "budget_id": row.budget_id, "slot": value,
                        "receipt_hash": row.receipt_hash, "content": row.content, "channel": row.channel,
                        "submission_hash": row.submission_hash, "cast_at": day(row.cast_at)})
    op.drop_table('ballot')  # with its indexes, and the link to voter_code
    ballot, replaced_ballot = new_tables()
    if current:
        op.bulk_insert(ballot, sorted(current, key=lambda r: r["id"]))
    if replaced:
        op.bulk_insert(replaced_ballot, sorted(replaced, key=lambda r: r["receipt_hash"]))

    with op.batch_alter_table('voter_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voted', sa.Boolean(), nullable=False, server_default=sa.false()))
    connection.execute(codes.update().where(codes.c.first_used_at.is_not(None)).values(voted=True))
    with op.batch_alter_table('voter_code', schema=None) as batch_op:
        batch_op.drop_column('first_used_at')


new_ballots = sa.table(
    "ballot", sa.column("budget_id", sa.Integer), sa.column("receipt_hash", sa.String), sa.column("content", sa.JSON),
    sa.column("channel", sa.String), sa.column("submission_hash", sa.String), sa.column("cast_at", sa.DateTime),
)
replaced_ballots = sa.table("replaced_ballot", sa.column("budget_id", sa.Integer),
                            sa.column("receipt_hash", sa.String), sa.column("submission_hash", sa.String))


def downgrade():
    connection = op.get_bind()
    current = connection.execute(sa.select(new_ballots)).all()
    replaced = connection.execute(sa.select(replaced_ballots)).all()
    op.drop_table('replaced_ballot')
    op.drop_table('ballot')
    ballot = op.create_table(
        'ballot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.Column('voter_code_id', sa.Integer(), nullable=True),
        sa.Column('receipt_hash', sa.String(length=64), nullable=False),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('cast_at', sa.DateTime(), nullable=False),
        sa.Column('replaced_at', sa.DateTime(), nullable=True),
        sa.Column('submission_hash', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_ballot_budget_id_budget'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['voter_code_id'], ['voter_code.id'], name=op.f('fk_ballot_voter_code_id_voter_code'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
        sa.UniqueConstraint('receipt_hash', name=op.f('uq_ballot_receipt_hash')),
        sa.UniqueConstraint('submission_hash', name=op.f('uq_ballot_submission_hash')),
    )
    op.create_index('ix_ballot_budget_current', 'ballot', ['budget_id', 'replaced_at'], unique=False)
    op.create_index(op.f('ix_ballot_voter_code_id'), 'ballot', ['voter_code_id'], unique=False)
    op.create_index('uq_ballot_one_current_per_code', 'ballot', ['budget_id', 'voter_code_id'], unique=True,
                    sqlite_where=sa.text("replaced_at IS NULL AND voter_code_id IS NOT NULL"),
                    postgresql_where=sa.text("replaced_at IS NULL AND voter_code_id IS NOT NULL"))
    rows = [{"budget_id": r.budget_id, "voter_code_id": None, "receipt_hash": r.receipt_hash, "content": r.content,
             "channel": r.channel, "cast_at": day(r.cast_at), "replaced_at": None,
             "submission_hash": r.submission_hash} for r in current]
    # A replaced ballot's content is gone: it comes back empty, replaced on its budget's last day.
    last = {}
    for r in current:
        last[r.budget_id] = max(last.get(r.budget_id, day(r.cast_at)), day(r.cast_at))
    rows += [{"budget_id": r.budget_id, "voter_code_id": None, "receipt_hash": r.receipt_hash, "content": {},
              "channel": "online", "cast_at": last.get(r.budget_id, dt.datetime(2000, 1, 1)),
              "replaced_at": last.get(r.budget_id, dt.datetime(2000, 1, 1)), "submission_hash": r.submission_hash}
             for r in replaced]
    if rows:
        op.bulk_insert(ballot, rows)
    with op.batch_alter_table('voter_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_used_at', sa.DateTime(), nullable=True))
    # The day of use is gone too: a code that voted comes back used on 1 January 2000.
    connection.execute(sa.text("UPDATE voter_code SET first_used_at = :at WHERE voted"),
                       {"at": dt.datetime(2000, 1, 1)})
    with op.batch_alter_table('voter_code', schema=None) as batch_op:
        batch_op.drop_column('voted')
