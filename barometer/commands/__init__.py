"""CLI command functions of the later subsystems (models, impact, ingestion, ...).

Each module holds plain functions with typer ``Annotated`` parameters that parse arguments,
call a library function and print the result; ``barometer/cli.py`` registers them.
"""
