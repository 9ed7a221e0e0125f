"""issue 10: a paper ballot records which organizer entered it

Revision ID: 0008_i10_entered_by
Revises: 0007_i10_slots
Create Date: 2026-12-01 11:30:00

``ballot.entered_by``: the e-mail of the organizer who entered a paper ballot (as the audit log
names actors); empty for online, API and imported ballots, and for paper ballots entered before
this revision (who entered them was not recorded). A plain ``ADD COLUMN``: on SQLite a batch
rebuild would lose the table's ``WITHOUT ROWID``.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008_i10_entered_by'
down_revision = '0007_i10_slots'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('ballot', sa.Column('entered_by', sa.String(length=200), nullable=False, server_default=''))


def downgrade():
    op.drop_column('ballot', 'entered_by')
