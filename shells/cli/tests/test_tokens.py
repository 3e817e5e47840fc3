"""`portal tokens create|list|revoke`: personal access tokens (issue [http])."""
import json

PASSWORD = "Vp9#kLm2$Qx7zR"


def test_tokens_create_list_revoke(cli):
    import subprocess
    proc = subprocess.run(cli.command("admin", "create", "admin", "--email", "a@example.org",
                                      "--password-stdin"), input=PASSWORD + "\n", text=True,
                          capture_output=True, env=cli.env)
    assert proc.returncode == 0, proc.stderr
    t = cli.json("tokens", "create", "--user", "admin", "--name", "backup", "--expires-days", "7")
    assert t["token"].startswith("pat_") and t["user_login"] == "admin" and t["expires_at"]
    plain = cli.run("tokens", "create", "--user", "admin", "--name", "second", expect=0)
    assert "pat_" in plain.stdout and "not shown again" in plain.stderr
    listed = cli.json("tokens", "list")["tokens"]
    assert [x["name"] for x in listed] == ["second", "backup"]
    assert all("token" not in x for x in listed)
    assert t["token"] not in cli.run("tokens", "list", expect=0).stdout
    cli.run("tokens", "revoke", str(t["id"]), expect=0)
    assert not next(x for x in cli.json("tokens", "list", "--user", "admin")["tokens"]
                    if x["id"] == t["id"])["active"]
    cli.run("tokens", "revoke", str(t["id"]), expect=5)
    cli.run("tokens", "create", "--user", "nobody", "--name", "x", expect=5)
    cli.run("tokens", "create", "--user", "admin", "--name", "", expect=2)
