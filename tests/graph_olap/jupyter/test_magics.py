"""``%cypher`` / ``%%cypher`` in a real IPython shell against a real platform and instances.

The shell raises: magics are called through ``run_cell_magic`` / ``run_line_magic`` (their
exceptions propagate), and cells through ``run_cell`` + ``raise_error()`` where the
displayhook (``_``) matters.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from graph_olap import GraphOLAPClient, QueryResult, notebook
from graph_olap.instance import _recent
from graph_olap.instance.connection import InstanceConnection
from graph_olap.instance.plan import QueryPlan
from graph_olap.jupyter._cypher_errors import caret_excerpt
from graph_olap.jupyter._cypher_params import parameter_names
from graph_olap.jupyter._cypher_run import CypherResult
from graph_olap.jupyter.magics import CypherMagic
from graph_olap.models import Instance
from tests.integration.conftest import FAST_JOBS
from tests.integration.demo import EDGES, NODES
from tests.support.platform import PlatformProcess

USER = "magic.analyst"
NODE_DEFS = [n for n in NODES if n["label"] in ("Customer", "Product")]
EDGE_DEFS = [e for e in EDGES if e["type"] == "PURCHASED"]
# Interruptible and minutes long on 3 000 customers: a three-way cartesian product.
SLOW_QUERY = (
    "MATCH (a:Customer), (b:Customer), (c:Customer) "
    "WHERE a.name + b.name + c.name = $never RETURN count(*)"
)


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def platform() -> Iterator[PlatformProcess]:
    server = PlatformProcess(dev=True, extra_env=FAST_JOBS)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(platform: PlatformProcess) -> Iterator[GraphOLAPClient]:
    with GraphOLAPClient(platform.url, username=USER, max_retries=0, timeout=60) as sdk:
        yield sdk


@pytest.fixture(scope="module")
def mapping_id(client: GraphOLAPClient) -> int:
    mapping = client.mappings.create(
        name="Magic demo", node_definitions=NODE_DEFS, edge_definitions=EDGE_DEFS
    )
    return mapping.id


def _start(client: GraphOLAPClient, mapping_id: int, name: str, engine: str) -> Instance:
    return client.instances.create_from_mapping_and_wait(
        mapping_id, name, wrapper_type=engine, timeout=300, show_progress=False
    )


@pytest.fixture(scope="module")
def instance(client: GraphOLAPClient, mapping_id: int) -> Iterator[Instance]:
    started = _start(client, mapping_id, "magic-ladybug", "ladybug")
    yield started
    client.instances.terminate(started.id)


@pytest.fixture(scope="module")
def other_engines(client: GraphOLAPClient, mapping_id: int) -> Iterator[dict[str, Instance]]:
    started = {
        engine: _start(client, mapping_id, f"magic-{engine}", engine)
        for engine in ("ryugraph", "falkordb")
    }
    yield started
    for item in started.values():
        client.instances.terminate(item.id)


@pytest.fixture(scope="module")
def ipython() -> InteractiveShell:
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "graph_olap")
    return shell


@pytest.fixture
def shell(
    ipython: InteractiveShell, client: GraphOLAPClient, monkeypatch: pytest.MonkeyPatch
) -> Iterator[InteractiveShell]:
    """The shell with a fresh magic state: no default, no remembered instance, our client."""
    monkeypatch.setattr(notebook, "_current_client", client)
    magic = _magic(ipython)
    magic.session.close()
    _recent.forget()
    saved = {name: getattr(magic, name) for name in magic.trait_names() if name != "config"}
    yield ipython
    for name, value in saved.items():
        if name in ("display_limit", "default_view", "feedback", "default_timeout"):
            setattr(magic, name, value)
    magic.show_traceback = False
    magic.session.close()
    _recent.forget()


def _magic(shell: InteractiveShell) -> CypherMagic:
    magic = shell.magics_manager.registry["CypherMagic"]
    assert isinstance(magic, CypherMagic)
    return magic


def cell(shell: InteractiveShell, line: str, body: str) -> Any:
    return shell.run_cell_magic("cypher", line, body)


def line(shell: InteractiveShell, text: str) -> Any:
    return shell.run_line_magic("cypher", text)


# -- extension --------------------------------------------------------------------------------


def test_load_ext_registers_the_magics_once(ipython: InteractiveShell) -> None:
    import graph_olap

    magics = ipython.magics_manager.magics
    assert "cypher" in magics["line"] and "cypher" in magics["cell"]
    first = _magic(ipython)
    graph_olap.load_ipython_extension(ipython)  # a second load keeps the same magic
    assert _magic(ipython) is first
    assert first in ipython.configurables
    graph_olap.unload_ipython_extension(ipython)
    assert "cypher" not in ipython.magics_manager.magics["cell"]
    graph_olap.load_ipython_extension(ipython)
    assert "cypher" in ipython.magics_manager.magics["cell"]


# -- choosing the instance --------------------------------------------------------------------


def test_no_instance_is_a_usage_error(shell: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="No instance to query: pass -i"):
        cell(shell, "", "RETURN 1 AS one")


def test_instance_by_id_and_by_name(shell: InteractiveShell, instance: Instance) -> None:
    by_id = cell(shell, f"-i {instance.id}", "MATCH (c:Customer) RETURN count(c) AS n")
    by_name = line(shell, f'-i "{instance.name}" MATCH (c:Customer) RETURN count(c) AS n')
    assert isinstance(by_id, QueryResult) and isinstance(by_name, CypherResult)
    assert by_id.scalar() == by_name.scalar() == 3000


def test_missing_instance_name_and_id(shell: InteractiveShell, instance: Instance) -> None:
    with pytest.raises(UsageError, match="No instance named 'no-such-graph'") as caught:
        cell(shell, "-i no-such-graph", "RETURN 1")
    assert instance.name in str(caught.value)  # the message lists the instances there are
    with pytest.raises(UsageError, match="No instance #987654"):
        cell(shell, "-i 987654", "RETURN 1")


def test_last_connected_instance_is_the_default(
    shell: InteractiveShell, client: GraphOLAPClient, instance: Instance
) -> None:
    with client.instances.connect(instance.id) as conn:
        result = cell(shell, "", "RETURN 41 + 1 AS answer")
        assert result.scalar() == 42
        assert _recent.last_instance() is not None
        # the notebook's own connection is used, not a second one
        assert _magic(shell).session._connections == {}
        assert conn.instance_id == instance.id


def test_create_and_wait_makes_the_instance_the_last_one(
    shell: InteractiveShell, client: GraphOLAPClient, instance: Instance
) -> None:
    client.instances.wait_until_running(instance.id, show_progress=False)
    recent = _recent.last_instance()
    assert recent is not None and recent.instance_id == instance.id
    assert cell(shell, "", "RETURN 1 AS one").scalar() == 1


def test_use_sets_the_session_default(
    shell: InteractiveShell, instance: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    assert line(shell, f"--use {instance.name}") is None
    assert f"now runs on instance '{instance.name}' (#{instance.id})" in capsys.readouterr().out
    assert _magic(shell).session.default is not None
    assert cell(shell, "", "RETURN 2 AS two").scalar() == 2
    assert line(shell, "RETURN 3 AS three").scalar() == 3
    _magic(shell).session.close()
    assert cell(shell, f"--use {instance.id}", "RETURN 4 AS four").scalar() == 4  # set and run
    assert cell(shell, "", "RETURN 5 AS five").scalar() == 5


def test_last_i_becomes_the_default(shell: InteractiveShell, instance: Instance) -> None:
    cell(shell, f"-i {instance.id}", "RETURN 1 AS one")
    assert cell(shell, "", "RETURN 5 AS five").scalar() == 5


# -- parameters -------------------------------------------------------------------------------


def test_parameters_come_from_the_namespace(shell: InteractiveShell, instance: Instance) -> None:
    shell.user_ns.update(city="London", since=date(2020, 1, 1), unused=object())
    result = cell(
        shell,
        f"-i {instance.id}",
        "MATCH (c:Customer) WHERE c.city = $city AND c.signup_date >= $since "
        "RETURN count(c) AS n, '$unused' AS text // $unused too",
    )
    expected = _connection(shell, instance).query(
        "MATCH (c:Customer) WHERE c.city = 'London' AND c.signup_date >= date('2020-01-01') "
        "RETURN count(c) AS n"
    )
    assert result.rows[0] == [expected.scalar(), "$unused"]
    assert result.rows[0][0] > 0


def test_a_value_with_cypher_syntax_stays_a_value(
    shell: InteractiveShell, instance: Instance
) -> None:
    shell.user_ns["name"] = "x' }) MATCH (n) DETACH DELETE n //"
    result = cell(
        shell, f"-i {instance.id}", "MATCH (c:Customer {name: $name}) RETURN count(c) AS n"
    )
    assert result.scalar() == 0
    echoed = line(shell, f"-i {instance.id} RETURN $name AS name")
    assert echoed.scalar() == shell.user_ns["name"]
    assert line(shell, f"-i {instance.id} MATCH (c:Customer) RETURN count(c)").scalar() == 3000


def test_explicit_params_dict(shell: InteractiveShell, instance: Instance) -> None:
    shell.user_ns["p"] = {"low": 10, "high": 20}
    shell.user_ns["high"] = 1  # the explicit dict wins
    result = line(shell, f"-i {instance.id} -P p RETURN $low AS low, $high AS high")
    assert result.rows == [[10, 20]]
    shell.user_ns["notadict"] = [1, 2]
    with pytest.raises(UsageError, match="must be a dict"):
        line(shell, f"-i {instance.id} -P notadict RETURN $low")
    with pytest.raises(UsageError, match="no variable 'nothere'"):
        line(shell, f"-i {instance.id} -P nothere RETURN $low")


def test_missing_parameter_names_it(shell: InteractiveShell, instance: Instance) -> None:
    shell.user_ns.pop("undefined_city", None)
    with pytest.raises(UsageError, match=r"uses \$undefined_city, not defined"):
        cell(shell, f"-i {instance.id}", "MATCH (c:Customer {city: $undefined_city}) RETURN c")


def test_unserialisable_parameter_names_it_and_its_type(
    shell: InteractiveShell, instance: Instance
) -> None:
    class Opaque:
        pass

    shell.user_ns["thing"] = Opaque()
    with pytest.raises(UsageError, match=r"Parameter \$thing is a .*Opaque, which cannot be sent"):
        line(shell, f"-i {instance.id} RETURN $thing AS t")


def test_numpy_values_are_sent_as_python_values(
    shell: InteractiveShell, instance: Instance
) -> None:
    numpy = pytest.importorskip("numpy")
    shell.user_ns["n"] = numpy.int64(7)
    assert line(shell, f"-i {instance.id} RETURN $n + 1 AS m").scalar() == 8


def test_parameter_lexer_skips_strings_comments_and_identifiers() -> None:
    query = (
        "MATCH (n {k: $a}) WHERE n.x = '$s' AND n.`$b` = \"$d\" // $c\n"
        "/* $e */ RETURN $`f g`, $a, $h2"
    )
    assert parameter_names(query) == ["a", "f g", "h2"]
    assert parameter_names("RETURN 'it\\'s $no' AS x, $yes") == ["yes"]


# -- flags ------------------------------------------------------------------------------------


def test_unknown_and_abbreviated_flags_are_refused(
    shell: InteractiveShell, instance: Instance
) -> None:
    with pytest.raises(UsageError, match="unrecognized arguments: --bogus"):
        cell(shell, "--bogus", "RETURN 1")
    with pytest.raises(UsageError, match="unrecognized arguments: --lim"):
        line(shell, "--lim 3 RETURN 1")
    with pytest.raises(UsageError, match="unrecognized arguments: RETURN"):
        cell(shell, "RETURN 1", "RETURN 2")  # a query on the %%cypher line
    with pytest.raises(UsageError, match="not allowed with argument --df"):
        cell(shell, "--df --polars", "RETURN 1")
    with pytest.raises(UsageError, match="invalid choice"):
        cell(shell, "--view pie", "RETURN 1")
    with pytest.raises(UsageError, match="no query"):
        cell(shell, f"-i {instance.id}", "   ")
    with pytest.raises(UsageError, match="--limit is a number of rows"):
        cell(shell, "--limit 0", "RETURN 1")
    with pytest.raises(UsageError, match="--timeout is in seconds"):
        cell(shell, "--timeout 0.1", "RETURN 1")


def test_out_stores_the_result_and_underscore_holds_it(
    shell: InteractiveShell, instance: Instance
) -> None:
    run = shell.run_cell(
        f"%%cypher -i {instance.id} -o top\n"
        "MATCH (p:Product) RETURN p.product_id AS id ORDER BY id LIMIT 3"
    )
    run.raise_error()
    top = shell.user_ns["top"]
    assert isinstance(top, QueryResult) and len(top) == 3
    assert shell.user_ns["_"] is top  # the cell's value went through the displayhook
    line_run = shell.run_cell(f"%cypher -i {instance.id} RETURN 9 AS nine")
    line_run.raise_error()
    assert shell.user_ns["_"].scalar() == 9


def test_df_and_polars(shell: InteractiveShell, instance: Instance) -> None:
    frame = cell(
        shell, f"-i {instance.id} --df", "MATCH (p:Product) RETURN p.product_id AS id LIMIT 5"
    )
    assert type(frame).__module__.startswith("pandas") and list(frame.columns) == ["id"]
    assert len(frame) == 5
    pl_frame = cell(
        shell, f"-i {instance.id} --polars", "MATCH (c:Customer) RETURN c.customer_id AS id"
    )
    assert type(pl_frame).__module__.startswith("polars") and pl_frame.height == 3000
    capped = cell(shell, f"-i {instance.id} --df --limit 7", "MATCH (c:Customer) RETURN c.name")
    assert len(capped) == 7


def test_limit_caps_rows_with_a_truncation_note(
    shell: InteractiveShell, instance: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    result = cell(shell, f"-i {instance.id} --limit 25", "MATCH (c:Customer) RETURN c.name")
    assert len(result) == 25 and result.truncated
    out = capsys.readouterr().out
    assert "25 rows in" in out and "Truncated: the instance sent its first 25 rows (--limit)" in out


def test_timeout_flag_and_config(shell: InteractiveShell, instance: Instance) -> None:
    shell.user_ns["never"] = "-"
    started = time.monotonic()
    with pytest.raises(UsageError, match=r"ran past its time limit \(1 s\)"):
        cell(shell, f"-i {instance.id} --timeout 1", SLOW_QUERY)
    assert time.monotonic() - started < 15
    _magic(shell).default_timeout = 1.0
    with pytest.raises(UsageError, match="ran past its time limit"):
        cell(shell, f"-i {instance.id}", SLOW_QUERY)


def test_view_reaches_the_widget(shell: InteractiveShell, instance: Instance) -> None:
    result = cell(
        shell,
        f"-i {instance.id} --view graph",
        "MATCH (c:Customer)-[r:PURCHASED]->(p:Product) RETURN c, r, p LIMIT 5",
    )
    widget = result.widget()
    assert widget.view == "graph"
    assert widget.metadata["instance"] == f"'{instance.name}' (#{instance.id})"
    assert "PURCHASED" in widget.metadata["query"]
    _magic(shell).default_view = "json"
    assert cell(shell, f"-i {instance.id}", "RETURN 1 AS one").widget().view == "json"


def test_config_display_limit(shell: InteractiveShell, instance: Instance) -> None:
    shell.run_line_magic("config", "CypherMagic.display_limit = 7")
    assert _magic(shell).display_limit == 7
    result = cell(shell, f"-i {instance.id}", "MATCH (c:Customer) RETURN c.name LIMIT 50")
    widget = result.widget()
    assert len(widget.rows) == 7 and widget.row_count == 50
    assert len(result) == 50  # the result keeps every row


def test_quiet_flag_and_feedback_levels(
    shell: InteractiveShell, instance: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    cell(shell, f"-i {instance.id} --quiet", "RETURN 1 AS one")
    assert capsys.readouterr().out == ""
    cell(shell, f"-i {instance.id}", "RETURN 1 AS one")
    assert "1 row in" in capsys.readouterr().out
    _magic(shell).feedback = 2
    shell.user_ns["x"] = 3
    cell(shell, f"-i {instance.id}", "RETURN $x AS x")
    assert "Parameters: $x" in capsys.readouterr().out
    _magic(shell).feedback = 0
    cell(shell, f"-i {instance.id}", "RETURN 1 AS one")
    assert capsys.readouterr().out == ""


def test_explain_and_profile(shell: InteractiveShell, instance: Instance) -> None:
    plan = cell(shell, f"-i {instance.id} --explain", "MATCH (c:Customer) RETURN count(c)")
    assert isinstance(plan, QueryPlan) and plan.mode == "explain"
    assert "Physical Plan" in plan.text
    profile = line(shell, f"-i {instance.id} --profile MATCH (c:Customer) RETURN count(c)")
    assert profile.mode == "profile" and "NumOutputTuples" in profile.text
    with pytest.raises(UsageError, match="--explain shows the engine's plan; --df"):
        cell(shell, "--explain --df", "RETURN 1")


# -- errors -----------------------------------------------------------------------------------


def test_syntax_error_has_position_and_caret(shell: InteractiveShell, instance: Instance) -> None:
    with pytest.raises(UsageError) as caught:
        cell(shell, f"-i {instance.id}", "MATCH (c:Customer)\nWHERE c.city = 'x'\nRETRN c")
    message = str(caught.value)
    assert message.startswith("Cypher syntax error at line 3, column 1 (ladybug): ")
    assert "3 | RETRN c\n        ^" in message
    assert "Parser exception: Invalid input <RETRN>: expected rule" in message
    assert "offset:" not in message and "WHERE" not in message  # one line, no engine context


@pytest.mark.parametrize("engine", ["ryugraph", "falkordb"])
def test_syntax_errors_of_other_engines(
    shell: InteractiveShell, other_engines: dict[str, Instance], engine: str
) -> None:
    target = other_engines[engine]
    with pytest.raises(UsageError) as caught:
        cell(shell, f"-i {target.id}", "MATCH (n) RETRN n")
    message = str(caught.value)
    column = 14 if engine == "falkordb" else 11  # FalkorDB reads RET, then fails at R
    assert message.startswith(f"Cypher syntax error at line 1, column {column} ({engine}): ")
    assert message.endswith("    MATCH (n) RETRN n\n    " + " " * (column - 1) + "^")
    assert "errCtx" not in message and "line: 1" not in message
    plan = cell(shell, f"-i {target.id} --explain", "MATCH (c:Customer) RETURN count(c)")
    assert plan.text


def test_semantic_error_is_short(shell: InteractiveShell, instance: Instance) -> None:
    with pytest.raises(UsageError, match=r"^Query error \(ladybug\): .*Nope"):
        cell(shell, f"-i {instance.id}", "MATCH (n:Nope) RETURN n")


def test_show_traceback_raises_the_sdk_error(shell: InteractiveShell, instance: Instance) -> None:
    from graph_olap.exceptions import QueryError

    _magic(shell).show_traceback = True
    with pytest.raises(QueryError):
        cell(shell, f"-i {instance.id}", "MATCH (n) RETRN n")


def test_run_cell_reports_usage_errors_without_traceback(
    shell: InteractiveShell, instance: Instance
) -> None:
    run = shell.run_cell(f"%%cypher -i {instance.id}\nMATCH (n) RETRN n")
    assert isinstance(run.error_in_exec, UsageError)
    with pytest.raises(UsageError, match="column 11"):
        run.raise_error()


def test_caret_lines_up_with_tabs() -> None:
    assert caret_excerpt("\tRETRN x", 1, 2) == "    \tRETRN x\n    \t^"
    assert caret_excerpt("a\nbc", 2, 3) == "    2 | bc\n          ^"
    assert caret_excerpt("x", 5, 1) == ""


def test_terminated_instance(
    shell: InteractiveShell, client: GraphOLAPClient, mapping_id: int
) -> None:
    doomed = _start(client, mapping_id, "magic-doomed", "ladybug")
    assert line(shell, f"--use {doomed.id}") is None
    assert cell(shell, "", "RETURN 1 AS one").scalar() == 1
    client.instances.terminate(doomed.id)
    with pytest.raises(UsageError, match=rf"Instance 'magic-doomed' \(#{doomed.id}\)") as caught:
        cell(shell, "", "RETURN 1 AS one")
    assert "terminated" in str(caught.value) or "not running" in str(caught.value)
    with pytest.raises(UsageError, match=rf"#{doomed.id}"):
        cell(shell, f"-i {doomed.id}", "RETURN 1 AS one")


# -- large results ----------------------------------------------------------------------------


def test_a_million_rows_are_capped_and_fast(
    shell: InteractiveShell, instance: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    run = shell.run_cell(f"%%cypher -i {instance.id}\nUNWIND range(1, 1000000) AS i RETURN i")
    run.raise_error()
    elapsed = time.monotonic() - started
    result = shell.user_ns["_"]
    assert result.truncated and len(result) == 100_000  # the instance's row cap
    out = capsys.readouterr().out
    assert "Truncated: the instance sent its first 100,000 rows (its row cap)" in out
    assert "The table shows the first 1,000 of 100,000 rows" in out
    widget = result.widget()
    assert len(widget.rows) == 1000 and widget.row_count == 100_000
    assert elapsed < 20, f"a capped million-row cell took {elapsed:.1f} s"


# -- cancel -----------------------------------------------------------------------------------


def _interrupt_main_after(seconds: float) -> threading.Timer:
    """SIGINT to the main thread (interrupting its blocking read), as Ctrl-C in a kernel."""
    main = threading.main_thread().ident
    assert main is not None
    timer = threading.Timer(seconds, signal.pthread_kill, (main, signal.SIGINT))
    timer.start()
    return timer


def _connection(shell: InteractiveShell, instance: Instance) -> InstanceConnection:
    return _magic(shell).session._connection(instance.id, instance.name)


def test_ctrl_c_cancels_the_query_on_the_instance(
    shell: InteractiveShell, instance: Instance
) -> None:
    shell.user_ns["never"] = "-"
    started = time.monotonic()
    timer = _interrupt_main_after(1.5)
    with pytest.raises(UsageError, match=r"Query cancelled \(Ctrl-C\) after .* stopped it"):
        cell(shell, f"-i {instance.id} --timeout 120", SLOW_QUERY)
    timer.join()
    assert time.monotonic() - started < 10
    # The engine stopped: the next query answers at once, not after the slow one.
    quick = time.monotonic()
    assert cell(shell, f"-i {instance.id}", "RETURN 1 AS one").scalar() == 1
    assert time.monotonic() - quick < 2
    assert _connection(shell, instance).last_cancel == "cancelled"


def test_ctrl_c_in_sdk_query_cancels_and_reraises(
    client: GraphOLAPClient, instance: Instance
) -> None:
    with client.instances.connect(instance.id) as conn:
        timer = _interrupt_main_after(1.0)
        with pytest.raises(KeyboardInterrupt) as caught:
            conn.query(SLOW_QUERY, {"never": "-"}, timeout=120)
        timer.join()
        assert conn.last_cancel == "cancelled"
        assert any("stopped query" in note for note in caught.value.__notes__)
        started = time.monotonic()
        assert conn.query_scalar("RETURN 1") == 1
        assert time.monotonic() - started < 2
        timer = _interrupt_main_after(1.0)
        with pytest.raises(KeyboardInterrupt):
            conn.query_df(SLOW_QUERY, {"never": "-"}, timeout=120)
        timer.join()
        assert conn.last_cancel == "cancelled"


def test_ctrl_c_on_falkordb_abandons(
    shell: InteractiveShell, other_engines: dict[str, Instance]
) -> None:
    target = other_engines["falkordb"]
    shell.user_ns["never"] = "-"
    timer = _interrupt_main_after(1.0)
    with pytest.raises(UsageError, match="cannot stop a running query"):
        cell(shell, f"-i {target.id} --timeout 3", SLOW_QUERY)
    timer.join()


def test_line_magic_inside_a_function_binds_its_locals(
    shell: InteractiveShell, instance: Instance
) -> None:
    shell.user_ns["instance_id"] = instance.id
    run = shell.run_cell(
        "def lookup(limit_value):\n"
        "    shown = limit_value * 2\n"
        "    result = %cypher -o from_function RETURN $shown AS shown\n"
        "    return result\n"
        f"%cypher --use {instance.id}\n"
        "answer = lookup(21)"
    )
    run.raise_error()
    assert shell.user_ns["answer"].scalar() == 42
    assert shell.user_ns["from_function"].scalar() == 42  # -o writes to the notebook
