"""Reports and exports kept in the database, a chunk of bytes per row

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("made_by_user_id", sa.Integer(), nullable=True),
        sa.Column("holds_free_text", sa.Boolean(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_report_files_survey_id_surveys")
        ),
        sa.ForeignKeyConstraint(
            ["made_by_user_id"], ["users.id"], name=op.f("fk_report_files_made_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_files")),
        sa.UniqueConstraint("name", name=op.f("uq_report_files_name")),
    )
    op.create_table(
        "report_file_chunks",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["report_files.id"],
            name=op.f("fk_report_file_chunks_file_id_report_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", "number", name=op.f("pk_report_file_chunks")),
    )


def downgrade():
    op.drop_table("report_file_chunks")
    op.drop_table("report_files")
