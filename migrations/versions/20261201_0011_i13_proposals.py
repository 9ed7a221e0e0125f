"""issue 13: proposals that can be revised, and mailed to their proposer in their language

Revision ID: 0011_i13_proposals
Revises: 0010_i13_districts
Create Date: 2026-12-01 14:00:00

``proposal.locale`` (the language of the proposer's mails; ``en`` for the proposals already
there, which were all written before the site remembered it), ``proposal.revision`` (1: as
submitted), ``proposal.remind_voting`` (no existing proposer asked for a reminder) and
``proposal.revised_at`` (empty: never revised). Plain ``ADD COLUMN`` / ``DROP COLUMN``.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011_i13_proposals'
down_revision = '0010_i13_districts'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('proposal', sa.Column('locale', sa.String(length=8), nullable=False, server_default='en'))
    op.add_column('proposal', sa.Column('revision', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('proposal', sa.Column('remind_voting', sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.add_column('proposal', sa.Column('revised_at', sa.DateTime(), nullable=True))


def downgrade():
    for column in ('revised_at', 'remind_voting', 'revision', 'locale'):
        op.drop_column('proposal', column)
