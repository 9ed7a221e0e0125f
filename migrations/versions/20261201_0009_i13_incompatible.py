"""issue 13: a budget names projects that cannot all be carried out

Revision ID: 0009_i13_incompatible
Revises: 0008_i10_entered_by
Create Date: 2026-12-01 12:30:00

``budget.incompatible``: groups of project codes of which at most one is funded, as pabulib
META ``incompatible`` writes them (``773,153|12,14``); empty for every existing budget, which
keeps their configuration fingerprints as they were. A plain ``ADD COLUMN`` / ``DROP COLUMN``
(SQLite 3.35 and later), never a batch rebuild of a table other tables cascade from.
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_i13_incompatible'
down_revision = '0008_i10_entered_by'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('budget', sa.Column('incompatible', sa.String(length=2000), nullable=False, server_default=''))


def downgrade():
    # a plain DROP COLUMN: on SQLite a batch rebuild drops and re-creates the budget table,
    # and the ballots' ON DELETE CASCADE would go with it
    op.drop_column('budget', 'incompatible')
