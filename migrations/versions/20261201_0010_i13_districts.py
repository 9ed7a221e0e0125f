"""issue 13: voter-code batches for some budgets, and "vote in at most N budgets"

Revision ID: 0010_i13_districts
Revises: 0009_i13_incompatible
Create Date: 2026-12-01 14:00:00

``code_batch.all_budgets`` (true for every existing batch, which keeps voting everywhere, as
before) and ``code_batch_budget``: the budgets a batch that is not for all of them may vote in
(a district, the citywide pot). ``process.max_budgets``: at most this many budgets per code; null for
every existing process, which keeps their configuration fingerprints as they were. A plain
``CREATE TABLE`` and ``ADD COLUMN`` (``DROP`` on the way down), never a batch rebuild of a table
other tables cascade from.
"""

from alembic import op
import sqlalchemy as sa


revision = '0010_i13_districts'
down_revision = '0009_i13_incompatible'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'code_batch_budget',
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['code_batch.id'], name=op.f('fk_code_batch_budget_batch_id_code_batch'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_code_batch_budget_budget_id_budget'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('batch_id', 'budget_id', name=op.f('pk_code_batch_budget')),
    )
    op.create_index(op.f('ix_code_batch_budget_budget_id'), 'code_batch_budget', ['budget_id'], unique=False)
    op.add_column('code_batch', sa.Column('all_budgets', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('process', sa.Column('max_budgets', sa.Integer(), nullable=True))


def downgrade():
    # a plain DROP COLUMN: on SQLite a batch rebuild drops and re-creates the process table,
    # and every budget and ballot would cascade away with it
    op.drop_column('process', 'max_budgets')
    op.drop_column('code_batch', 'all_budgets')
    op.drop_index(op.f('ix_code_batch_budget_budget_id'), table_name='code_batch_budget')
    op.drop_table('code_batch_budget')
