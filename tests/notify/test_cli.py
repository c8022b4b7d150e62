import json

from tests.notify.servers import webhook


def test_channel_add_list_and_test(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("YUQING_SECRET_KEY", "cli-test-secret-key")
    with webhook() as hook:
        config = json.dumps({"url": hook.url})
        code, out = run(
            "channel",
            "add",
            "值班群",
            "--kind",
            "webhook",
            "--config",
            config,
            "--role",
            "office",
            "--role",
            "approver",
        )
        assert code == 0, out
        code, out = run(
            "channel", "add", "坏的", "--kind", "dingtalk", "--config", "{}", "--role", "office"
        )
        assert code == 1 and "token" in out
        assert "值班群" in run("channel", "list")[1]
        code, out = run("channel", "test", "值班群")
        assert code == 0 and "sent 1" in out
        assert hook.received[0][1]["title"] == "【测试】舆情系统通知测试"
    code, out = run(
        "channel",
        "add",
        "x",
        "--kind",
        "dingtalk",
        "--role",
        "office",
        "--config",
        json.dumps({"token": "abcdefgh1234", "secret": "SECRET"}),
    )
    assert code == 0
    listing = run("channel", "list")[1]
    assert "SECRET" not in listing and "***" in listing
