"""DynamoDB PartiQL statements with `?` parameters run as AWS's example code writes them.

AWS (DynamoDB API reference, ExecuteStatement): "Parameters - The parameters for the PartiQL
statement, if any", one AttributeValue per ``?`` in the statement, in order; the same for each
statement of BatchExecuteStatement. AWS's own example code (aws-doc-sdk-examples,
``python/example_code/dynamodb/partiql``, single and batch scenarios) runs exactly these:
``INSERT INTO "movies" VALUE {'title': ?, 'year': ?, 'info': ?}``, ``SELECT * FROM "movies" WHERE
title=? AND year=?``, ``UPDATE "movies" SET info.rating=? WHERE title=? AND year=?`` (developer
guide, "PartiQL update statements": "path - An attribute name or document path to be created or
modified") and ``DELETE FROM "movies" WHERE title=? AND year=?``. moto 5.2.5's PartiQL parser
(py-partiql-parser 0.6.3) binds parameters in SELECT and UPDATE only, and only between spaces:

* an INSERT with ``?`` fails ``TypeError: Unsupported type "<class '...Variable'>" for value "<?>"``
  (HTTP 500; in BatchExecuteStatement, whose validation parses every statement first, too);
* a DELETE with ``?`` fails an ``AssertionError`` (HTTP 500);
* ``title=?`` (no spaces around ``=``) matches nothing in a SELECT, so the scenario's reads are empty;
* ``SET info.rating=?`` writes a new top-level attribute literally named ``info.rating``;
* BatchExecuteStatement answers ``ResourceNotFound`` for a SELECT on a quoted table name (``"movies"``).

Fix, around moto's own parser (``moto.dynamodb.parsing.partiql.query`` and ``get_query_metadata``):
the WHERE clause's comparison operators get spaces; in INSERT and DELETE each ``?`` outside quotes
becomes a quoted placeholder, the statement is parsed by moto's parser, and each placeholder in what
it parsed (the new item, nested maps and lists included; the DELETE's WHERE values) is replaced by
its parameter exactly as given (``{"N": "2024"}`` stays a number); a ``?`` count that differs from
the parameters fails ``ValidationException`` as moto's UPDATE does; an UPDATE's unquoted document
paths are written into the nested map (a path whose parent is not a map fails ValidationException,
as UpdateItem does); BatchExecuteStatement's checks read table names without their quotes.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from typing import Any

from ..patching import Patch

NAME = "dynamodb_partiql_parameters"
_TOKEN = "labs-partiql-parameter-{}"
_TOKEN_RE = re.compile(r"^labs-partiql-parameter-(\d+)$")
_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)
_OPERATOR = re.compile(r"\s*(<>|<=|>=|=|<|>)\s*")
#: ``SET info.rating =`` (an unquoted document path) in an UPDATE statement.
_SET_PATH = re.compile(r"(?:\bSET\b|,)\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\s*=", re.IGNORECASE)


def _chunks(statement: str) -> list[tuple[bool, str]]:
    """``statement`` as (quoted?, text) pieces: '...' strings and "..." names are the quoted ones
    (PartiQL doubles a quote to escape it, which reads here as closing and reopening the string:
    the same thing for telling what is inside)."""
    pieces: list[tuple[bool, str]] = []
    current, quote = "", ""
    for char in statement:
        if quote:
            current += char
            if char == quote:
                pieces.append((True, current))
                current, quote = "", ""
        elif char in "'\"":
            if current:
                pieces.append((False, current))
            current, quote = char, char
        else:
            current += char
    if current:
        pieces.append((bool(quote), current))
    return pieces


def bind(statement: str) -> tuple[str, int]:
    """``statement`` with each ``?`` outside quotes replaced by a quoted placeholder, and how many."""
    out: list[str] = []
    count = 0
    for quoted, text in _chunks(statement):
        if not quoted:
            parts = text.split("?")
            text = parts[0]
            for part in parts[1:]:
                text += f"'{_TOKEN.format(count)}'" + part
                count += 1
        out.append(text)
    return "".join(out), count


def spaced(statement: str) -> str:
    """``statement`` with spaces around the comparison operators of its WHERE clause.

    ``WHERE title=? AND year=?`` is how AWS's examples write it; moto's WHERE parser reads an
    operator only between spaces, and matched nothing (SELECT) or failed (DELETE) without them."""
    out: list[str] = []
    after_where = False
    for quoted, text in _chunks(statement):
        if not quoted:
            head = ""
            if not after_where:
                found = _WHERE.search(text)
                if found:
                    after_where = True
                    head, text = text[:found.end()], text[found.end():]
            if after_where:
                text = head + _OPERATOR.sub(r" \1 ", text)
            else:
                text = head + text
        out.append(text)
    return "".join(out)


def substitute(value: Any, parameters: list[dict[str, Any]]) -> Any:
    """``value`` (parsed DynamoDB JSON; the parser's maps are case-insensitive mappings, not dicts) with
    every placeholder replaced by its parameter."""
    if isinstance(value, Mapping):
        if len(value) == 1 and isinstance(value.get("S"), str):
            match = _TOKEN_RE.match(value["S"])
            if match:
                return parameters[int(match.group(1))]
        return {k: substitute(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, parameters) for v in value]
    return value


def _verb(statement: str) -> str:
    return statement.lstrip().split(" ", 1)[0].lower()


def _bound(statement: str, parameters: list[dict[str, Any]] | None) -> str:
    from moto.dynamodb.exceptions import MockValidationException

    text, count = bind(statement)
    if count != len(parameters or []):
        raise MockValidationException("Number of parameters in request and statement don't match.")
    return text


def _nested_paths(statement: str) -> list[list[str]]:
    """The unquoted document paths (``info.rating``) an UPDATE statement SETs."""
    text = "".join(t if not quoted else "''" for quoted, t in _chunks(statement))
    clause = re.split(r"\bWHERE\b", text, maxsplit=1, flags=re.IGNORECASE)[0]
    return [path.split(".") for path in _SET_PATH.findall(clause)]


def _set_nested(item: dict[str, Any], path: list[str]) -> None:
    """Move ``item["a.b"]`` (where moto's parser put a SET of path a.b) to ``item["a"]["M"]["b"]``."""
    from moto.dynamodb.exceptions import MockValidationException

    value = item.pop(".".join(path))
    parent: Any = item
    for name in path[:-1]:
        parent = parent.get(name) if isinstance(parent, dict) else None
        if not isinstance(parent, dict) or "M" not in parent:
            raise MockValidationException("The document path provided in the update expression is invalid for update")
        parent = parent["M"]
    parent[path[-1]] = value


def query(original: Any, statement: str, source_data: dict[str, list[Any]],
          parameters: list[dict[str, Any]]) -> Any:
    """moto's ``partiql.query`` with INSERT and DELETE parameters bound, WHERE operators spaced and
    UPDATE document paths nested."""
    from moto.dynamodb.exceptions import ResourceNotFoundException
    from py_partiql_parser import DynamoDBStatementParser
    from py_partiql_parser._internal.delete_parser import DeleteParser
    from py_partiql_parser._internal.insert_parser import InsertParser

    statement = spaced(statement.replace("\n", " "))
    verb = _verb(statement)
    if verb == "insert" and "?" in statement:
        table_name, item = InsertParser().parse(_bound(statement, parameters))
        if table_name not in source_data:
            raise ResourceNotFoundException()
        return [], {table_name: [(None, substitute(item, parameters))]}
    if verb == "delete":
        table_name, filters = DeleteParser().parse(_bound(statement, parameters))
        documents = DynamoDBStatementParser(source_data).documents
        if table_name not in documents:
            raise ResourceNotFoundException()
        filters = [(name, substitute(value, parameters)) for name, value in filters]
        deleted = [(item.get_regular(), None) for item in documents[table_name]
                   if all(item.get(name) == value for name, value in filters)]
        return [], {table_name: deleted}
    result, updates = original(statement, source_data, parameters)
    paths = _nested_paths(statement) if verb == "update" else []
    if paths:
        for changes in updates.values():
            for i, (before, after) in enumerate(changes):
                after = copy.deepcopy(after)
                for path in paths:
                    _set_nested(after, path)
                changes[i] = (before, after)
    return result, updates


def metadata(original: Any, statement: str) -> Any:
    """moto's ``partiql.get_query_metadata`` (BatchExecuteStatement's check of table and key names
    before anything runs) for statements as AWS's examples write them: quoted table names, ``?``
    in INSERT and DELETE, ``title=?`` without spaces."""
    statement = spaced(statement.replace("\n", " "))
    if _verb(statement) in ("insert", "delete"):
        statement = bind(statement)[0]  # the count is checked when the statement runs
    found = original(statement)
    found._tables = {alias: name.strip('"') for alias, name in found._tables.items()}
    return found


def _apply() -> None:
    from moto.dynamodb.parsing import partiql

    original_query = partiql.query
    original_metadata = partiql.get_query_metadata

    @functools.wraps(original_query)
    def query_with_parameters(statement: str, source_data: dict[str, list[Any]],
                              parameters: list[dict[str, Any]]) -> Any:
        return query(original_query, statement, source_data, parameters)

    @functools.wraps(original_metadata)
    def metadata_with_parameters(statement: str) -> Any:
        return metadata(original_metadata, statement)

    partiql.query = query_with_parameters  # type: ignore[assignment]
    partiql.get_query_metadata = metadata_with_parameters  # type: ignore[assignment]


PATCH = Patch(
    name=NAME,
    restores="ExecuteStatement and BatchExecuteStatement bind Parameters to every ? of INSERT, SELECT, UPDATE and "
             "DELETE statements, one AttributeValue per ? in order; WHERE title=? needs no spaces; SET info.rating=? "
             "updates the nested document path",
    plain_moto="an INSERT with ? parameters fails with TypeError (Unsupported type Variable), a DELETE with ? with an "
               "AssertionError (HTTP 500 either way); title=? without spaces matches nothing; SET info.rating=? writes "
               "a top-level attribute named 'info.rating'; batch SELECTs on a quoted table name are ResourceNotFound",
    apply=_apply,
    targets={
        "moto.dynamodb.parsing.partiql:query": "c4f918124cab",
        "moto.dynamodb.parsing.partiql:get_query_metadata": "da9f0885c76d",
        "moto.dynamodb.models:DynamoDBBackend.execute_statement": "6579d0ba9df2",
        "moto.dynamodb.models:DynamoDBBackend.batch_execute_statement": "38c6c9a48791",
        "py_partiql_parser._internal.insert_parser:InsertParser.parse": "276325b03020",
        "py_partiql_parser._internal.delete_parser:DeleteParser.parse": "f6ebbaa46e58",
        "py_partiql_parser._internal.parser:DynamoDBStatementParser._parse_delete": "0e21681463a0",
        "py_partiql_parser._internal.parser:DynamoDBStatementParser._parse_update": "f7e2b2a2ccf2",
        "py_partiql_parser._internal.where_parser:WhereParser.parse_where_clause": "0f88cfa91d65",
        "py_partiql_parser._internal.utils:QueryMetadata.__init__": "6d545c806d69",
    },
)
