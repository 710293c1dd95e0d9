"""The README stays true: CI runs its test command verbatim and it lists every limit."""
import re
from pathlib import Path

from engine import limits

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    quick_start = ROOT.joinpath("README.md").read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick_start)


def test_quick_start_has_two_commands_and_ci_runs_the_test_command_verbatim():
    serve, test = readme_commands()
    assert "oms serve" in serve and "pytest" in test
    ci = ROOT.joinpath(".ci", "run").read_text().splitlines()
    assert test in ci


def test_every_limit_is_listed_in_the_readme():
    readme = ROOT.joinpath("README.md").read_text()
    names = [n for n in vars(limits) if n.endswith(("_max", "_default"))]
    assert names and [n for n in names if f"`{n}`" not in readme] == []


def test_every_graphql_example_in_the_readme_is_valid_against_the_schema():
    from graphql import parse, validate

    from api.schema import schema

    readme = ROOT.joinpath("README.md").read_text()
    heredocs = [doc for block in re.findall(r"```bash\n(.+?)```", readme, flags=re.S)
                for doc in re.findall(r"<<'EOF'\n(.+?)\nEOF", block, flags=re.S)]
    blocks = re.findall(r"```graphql\n(.+?)```", readme, flags=re.S) + heredocs
    operations = [op for block in blocks for op in re.split(r"\n(?=mutation|query|subscription|\{)", block) if op.strip()]
    assert len(operations) >= 10
    for operation in operations:
        assert validate(schema._schema, parse(operation)) == [], operation

