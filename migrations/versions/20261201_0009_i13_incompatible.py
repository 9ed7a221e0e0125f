"""issue 13: a budget names projects that cannot all be carried out

Revision ID: 0009_i13_incompatible
Revises: 0008_i10_entered_by
Create Date: 2026-12-01 12:30:00

``budget.incompatible``: groups of project codes of which at most one is funded, as pabulib
META ``incompatible`` writes them (``773,153|12,14``); empty for every existing budget, which
keeps their configuration fingerprints as they were.
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
    with op.batch_alter_table('budget') as batch:
        batch.drop_column('incompatible')
