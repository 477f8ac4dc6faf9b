"""Languages: each response's language, and surveys' questionnaires in other languages

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("responses") as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=10), nullable=False, server_default="en")
        )
    op.create_table(
        "survey_translations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("review_status", sa.String(length=200), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["surveys.id"], name=op.f("fk_survey_translations_survey_id_surveys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_translations")),
        sa.UniqueConstraint("survey_id", "language", name=op.f("uq_survey_translations_survey_id")),
    )


def downgrade():
    op.drop_table("survey_translations")
    with op.batch_alter_table("responses") as batch_op:
        batch_op.drop_column("language")
