"""PartiQL with ``?`` parameters, as AWS's own example code runs it.

DynamoDB API reference, ExecuteStatement: "Parameters - The parameters for the PartiQL statement, if
any", one AttributeValue per ``?``, in order; BatchExecuteStatement takes the same per statement.
The statements below are the ones of aws-doc-sdk-examples ``python/example_code/dynamodb/partiql``
(scenario_partiql_single.py and scenario_partiql_batch.py), run through a boto3 *resource*'s client
as there, so plain Python values are serialised to AttributeValues. Plain moto 5.2.5
(``LABS_EMULATOR_DISABLE=dynamodb_partiql_parameters``): the INSERT fails with a TypeError (HTTP
500), a DELETE with an AssertionError, ``title=?`` without spaces matches nothing, ``SET
info.rating=?`` writes a top-level attribute named "info.rating", and BatchExecuteStatement's SELECT
on a quoted table name answers ResourceNotFound.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab

TITLE = "24 Hour PartiQL People"
YEAR = 2024


@pytest.fixture
def movies(lab: Lab) -> tuple[Any, str]:
    """(the client of a boto3 DynamoDB resource, a table keyed like AWS's example: title + year)."""
    client = lab.backend.session.resource("dynamodb", region_name=lab.region).meta.client
    table = lab.name("movies")
    client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "title", "KeyType": "HASH"},
                                   {"AttributeName": "year", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "title", "AttributeType": "S"},
                                              {"AttributeName": "year", "AttributeType": "N"}])
    return client, table


def _all(client: Any, table: str) -> list[dict[str, Any]]:
    return client.scan(TableName=table)["Items"]


def test_the_single_statement_scenario(movies: tuple[Any, str]) -> None:
    client, table = movies
    run = client.execute_statement
    run(Statement=f"INSERT INTO \"{table}\" VALUE {{'title': ?, 'year': ?, 'info': ?}}",
        Parameters=[TITLE, YEAR, {"plot": "A group of data developers ...", "rating": Decimal("9.9")}])
    select = f'SELECT * FROM "{table}" WHERE title=? AND year=?'
    items = run(Statement=select, Parameters=[TITLE, YEAR])["Items"]
    assert items == [{"title": TITLE, "year": YEAR, "info": {"plot": "A group of data developers ...",
                                                             "rating": Decimal("9.9")}}]
    run(Statement=f'UPDATE "{table}" SET info.rating=? WHERE title=? AND year=?',
        Parameters=[Decimal("2.4"), TITLE, YEAR])
    items = run(Statement=select, Parameters=[TITLE, YEAR])["Items"]
    assert items[0]["info"] == {"plot": "A group of data developers ...", "rating": Decimal("2.4")}
    assert set(items[0]) == {"title", "year", "info"}  # no top-level "info.rating"
    run(Statement=f'DELETE FROM "{table}" WHERE title=? AND year=?', Parameters=[TITLE, YEAR])
    assert _all(client, table) == []


def test_the_batch_scenario(movies: tuple[Any, str]) -> None:
    client, table = movies
    movies_data = [{"title": f"Movie {i}", "year": 2000 + i, "info": {"rating": Decimal(i)}} for i in range(3)]

    def batch(statement: str, params: list[list[Any]]) -> list[dict[str, Any]]:
        out = client.batch_execute_statement(
            Statements=[{"Statement": statement, "Parameters": p} for p in params])["Responses"]
        assert not [r for r in out if "Error" in r], out
        return out

    batch(f'INSERT INTO "{table}" ' "VALUE {'title': ?, 'year': ?, 'info': ?}",
          [[m["title"], m["year"], m["info"]] for m in movies_data])
    got = batch(f'SELECT * FROM "{table}" WHERE title=? AND year=?', [[m["title"], m["year"]] for m in movies_data])
    assert [r["Item"] for r in got] == movies_data
    batch(f'UPDATE "{table}" SET info.rating=? ' "WHERE title=? AND year=?",
          [[Decimal(9), m["title"], m["year"]] for m in movies_data])
    assert {item["info"]["rating"] for item in _all(client, table)} == {Decimal(9)}
    batch(f'DELETE FROM "{table}" WHERE title=? AND year=?', [[m["title"], m["year"]] for m in movies_data])
    assert _all(client, table) == []


def test_typed_parameters_keep_their_types(lab: Lab, movies: tuple[Any, str]) -> None:
    _, table = movies
    ddb = lab.client("dynamodb")  # a plain client: AttributeValues as AWS documents them
    ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'title': ?, 'year': ?, 'tags': ?, 'note': 'why?'}}",
                          Parameters=[{"S": "t"}, {"N": "1999"}, {"SS": ["a", "b"]}])
    item = ddb.get_item(TableName=table, Key={"title": {"S": "t"}, "year": {"N": "1999"}})["Item"]
    assert item["year"] == {"N": "1999"} and sorted(item["tags"]["SS"]) == ["a", "b"]
    assert item["note"] == {"S": "why?"}  # a ? inside a string is text, not a parameter


def test_a_parameter_count_that_does_not_match_is_a_validation_error(lab: Lab, movies: tuple[Any, str]) -> None:
    _, table = movies
    with pytest.raises(ClientError) as raised:
        lab.client("dynamodb").execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'title': ?, 'year': ?}}",
                                                 Parameters=[{"S": "only one"}])
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_insert_into_a_missing_table_is_resource_not_found(lab: Lab) -> None:
    with pytest.raises(ClientError) as raised:
        lab.client("dynamodb").execute_statement(Statement="INSERT INTO \"nope\" VALUE {'pk': ?}",
                                                 Parameters=[{"S": "x"}])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"
