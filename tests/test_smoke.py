from conftest import Precis


def test_add_list_summarize_roundtrip(precis: Precis) -> None:
    text = (
        "Council approves larger budget\n\n"
        "The city council voted 7-2 on Tuesday to approve a larger budget. "
        "The mayor called the vote historic. Opponents said taxes would rise. "
        "The budget takes effect in January."
    )
    added = precis("add", "-", input=text)
    assert added.exit_code == 0, added.output
    assert "1 added" in added.output
    listed = precis("ls")
    assert "Council approves larger budget" in listed.stdout
    summary = precis("summarize", "1", "--sentences", "2")
    assert summary.exit_code == 0, summary.output
    lines = summary.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(line in text for line in lines)
