"""i10: server-side sessions; rate-limit counters keyed by rotating keys

Revision ID: 0004_i10
Revises: 0003_i9_chain
Create Date: 2026-12-01 08:00:00

The old ``failed_attempt`` rows are dropped, not converted: they held keyed hashes of client
addresses that anyone with the ini key could reverse, and rate state only matters for a minute.
Existing signed-cookie sessions end (everyone logs in again once).
"""

from alembic import op
import sqlalchemy as sa


revision = '0004_i10'
down_revision = '0003_i9_chain'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('web_session',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizer.id'], name=op.f('fk_web_session_organizer_id_organizer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_web_session'))
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_session_organizer_id'), ['organizer_id'], unique=False)

    op.create_table('rate_key',
    sa.Column('minute', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('minute', name=op.f('pk_rate_key'))
    )
    op.create_table('rate_counter',
    sa.Column('scope', sa.String(length=24), nullable=False),
    sa.Column('minute', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('tag', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', 'minute', 'tag', name=op.f('pk_rate_counter'))
    )
    with op.batch_alter_table('failed_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_failed_attempt_scope_client_at')
    op.drop_table('failed_attempt')


def downgrade():
    op.create_table('failed_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('client_hash', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_attempt'))
    )
    with op.batch_alter_table('failed_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_failed_attempt_scope_client_at', ['scope', 'client_hash', 'at'], unique=False)
    op.drop_table('rate_counter')
    op.drop_table('rate_key')
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_organizer_id'))
        batch_op.drop_index(batch_op.f('ix_web_session_expires_at'))
    op.drop_table('web_session')
