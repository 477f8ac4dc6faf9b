"""Waves of a survey, imported waves, and results published to residents

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("surveys") as batch_op:
        batch_op.add_column(sa.Column("wave", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("imported_from", sa.String(length=300), nullable=True))
    # Each questionnaire version loaded so far was run as a survey of its own: number them as
    # waves in the order they were loaded.
    surveys = sa.table("surveys", sa.column("id", sa.Integer), sa.column("slug", sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(surveys.c.id, surveys.c.slug).order_by(surveys.c.id))
    waves: dict[str, int] = {}
    for survey_id, slug in rows.all():
        waves[slug] = waves.get(slug, 0) + 1
        connection.execute(
            sa.text("UPDATE surveys SET wave = :wave WHERE id = :id"),
            {"wave": waves[slug], "id": survey_id},
        )
    with op.batch_alter_table("surveys") as batch_op:
        batch_op.drop_constraint("uq_surveys_slug", type_="unique")
        batch_op.create_unique_constraint("uq_surveys_slug_wave", ["slug", "wave"])

    op.create_table(
        "published_results",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_user_id", sa.Integer(), nullable=True),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_published_results_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_user_id"],
            ["users.id"],
            name=op.f("fk_published_results_published_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("survey_id", name=op.f("pk_published_results")),
    )
    op.create_table(
        "you_said_we_did",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("you_said", sa.Text(), nullable=False),
        sa.Column("we_did", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_you_said_we_did_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_you_said_we_did")),
    )
    op.create_index("ix_you_said_we_did_survey", "you_said_we_did", ["survey_id", "position"])


def downgrade():
    # Before waves, a questionnaire version was one survey: two waves of one version cannot go
    # back. Say so before changing anything.
    repeated = op.get_bind().execute(
        sa.text(
            "SELECT slug, version FROM surveys GROUP BY slug, version HAVING count(*) > 1"
        )
    ).first()
    if repeated is not None:
        raise RuntimeError(
            f"Cannot go back before waves: {repeated[0]} version {repeated[1]} was run as more "
            "than one wave. Remove the later waves (or restore a backup) first."
        )
    op.drop_index("ix_you_said_we_did_survey", table_name="you_said_we_did")
    op.drop_table("you_said_we_did")
    op.drop_table("published_results")
    with op.batch_alter_table("surveys") as batch_op:
        batch_op.drop_constraint("uq_surveys_slug_wave", type_="unique")
        batch_op.create_unique_constraint("uq_surveys_slug", ["slug", "version"])
        batch_op.drop_column("imported_from")
        batch_op.drop_column("wave")
