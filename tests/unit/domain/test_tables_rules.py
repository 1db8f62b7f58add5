"""A TransitionTable built fresh from hand-written rows: its machine, lookup and answers.

The shipped tables are built at import, before a mutation test switches a
change on, so this builds its own small lifecycle and checks every fact the
table derives from its rows.
"""

from __future__ import annotations

from enum import StrEnum

from tnorder.domain.tables import Move, TransitionTable


class _S(StrEnum):
    NEW = "new"
    OPEN = "open"
    DONE = "done"


class _T(StrEnum):
    START = "start"
    FINISH = "finish"
    RESET = "reset"


def _table() -> TransitionTable[_S, _T]:
    return TransitionTable(
        "Example",
        _S,
        _T,
        _S.NEW,
        (
            Move(_T.START, (_S.NEW,), _S.OPEN),
            Move(_T.FINISH, (_S.NEW, _S.OPEN), _S.DONE),
            Move(_T.RESET, (_S.DONE,), _S.NEW),
        ),
    )


def test_a_fresh_table_compiles_exactly_its_rows() -> None:
    """The lookup holds one (status, trigger) -> status pair per row source, as enum members."""
    table = _table()
    expected = {
        (_S.NEW, _T.START): _S.OPEN,
        (_S.NEW, _T.FINISH): _S.DONE,
        (_S.OPEN, _T.FINISH): _S.DONE,
        (_S.DONE, _T.RESET): _S.NEW,
    }
    assert expected == dict(table.lookup)
    assert all(
        type(s) is _S and type(t) is _T and type(d) is _S for (s, t), d in table.lookup.items()
    )


def test_a_fresh_table_answers_from_its_rows() -> None:
    """resolve gives the destination or None; allowed lists the triggers in enum order."""
    table = _table()
    assert (_S.OPEN, None) == (table.resolve(_S.NEW, _T.START), table.resolve(_S.OPEN, _T.START))
    assert ((_T.START, _T.FINISH), (_T.FINISH,), (_T.RESET,)) == tuple(table.allowed(s) for s in _S)


def test_a_fresh_tables_machine_has_only_its_rows_and_starts_initial() -> None:
    """The machine has the states, only the rows' triggers (no shortcuts) and no model."""
    table = _table()
    assert ["new", "open", "done"] == list(table.machine.states)
    assert {"start", "finish", "reset"} == set(table.machine.events)
    assert ("new", []) == (table.machine.initial, table.machine.models)
    assert [
        {"trigger": "start", "source": ["new"], "dest": "open"},
        {"trigger": "finish", "source": ["new", "open"], "dest": "done"},
        {"trigger": "reset", "source": ["done"], "dest": "new"},
    ] == table.machine_transitions()


def test_a_model_given_to_build_starts_in_the_initial_status() -> None:
    """A model handed to build is placed in the initial status and can fire the rows."""

    class Model:
        state = ""

    model = Model()
    _table().build(model=model)
    assert "new" == model.state
    model.start()  # type: ignore[attr-defined]
    assert "open" == model.state
