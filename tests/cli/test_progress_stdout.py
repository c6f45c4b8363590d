import io

from timeline.cli import ProgressBar


def test_a_drawing_bar_leaves_the_programs_own_output_alone(capsys):
    drawn = io.StringIO()
    with ProgressBar("rows", stream=drawn, enabled=True) as bar:
        bar(10, 100)
        print("a line of the program's own")  # noqa: T201  # the program's own output
        bar(100, 100)
    assert capsys.readouterr().out == "a line of the program's own\n"
    assert "a line" not in drawn.getvalue()
    assert "100/100" in drawn.getvalue()
