"""The server's own pages: sign-in, the app's page, and the refusals; no secret is ever in one."""

from __future__ import annotations

from html import escape

STYLE = """
body{margin:0;background:#0c181f;color:#e8eef2;font:16px/1.5 "Roboto Mono",monospace}
main{max-width:34rem;margin:12vh auto;padding:2rem;background:#12232d}
h1{font-size:1.3rem;margin:0 0 1rem}
input,button{font:inherit;padding:.5rem;margin:.25rem 0;width:100%;box-sizing:border-box}
button{background:#5e0ba7;color:#fff;border:0;cursor:pointer}
.error{color:#ff8a80}
a{color:#9ecbff}
"""

# The app's page: textual-serve's terminal, its font served from here (no outside request), the
# websocket found from the page's own address so it works behind a proxy and on any host name.
APP_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="static/css/xterm.css">
<link rel="preload" href="static/fonts/RobotoMono-VariableFont_wght.ttf" as="font" crossorigin>
<style>
@font-face{{font-family:"Roboto Mono";src:url("static/fonts/RobotoMono-VariableFont_wght.ttf")}}
html,body{{margin:0;height:100%;background:#0c181f}}
#terminal{{width:100vw;height:100vh}}
.ended{{display:none;position:absolute;inset:0;z-index:10;align-items:center;
justify-content:center;color:#e8eef2;font:16px/1.5 "Roboto Mono",monospace}}
body.-closed .ended{{display:flex}}
.ended div{{background:#12232d;padding:2rem;max-width:34rem}}
button{{font:inherit;padding:.5rem 1rem;background:#5e0ba7;color:#fff;border:0;cursor:pointer}}
</style>
<script src="static/js/textual.js"></script></head>
<body>
<div class="ended"><div><p>This tab's app has ended (it was quit, idle too long, or the server
stopped). A walk that had not reached an outcome stays open: resume it from the library.</p>
<button type="button" onclick="location.reload()">Open the library again</button>
{sign_out}</div></div>
<div id="terminal" class="textual-terminal" data-font-size="{font_size}"></div>
<script>
const socket = new URL("ws", location.href);
socket.protocol = location.protocol === "https:" ? "wss:" : "ws:";
document.getElementById("terminal").dataset.sessionWebsocketUrl = socket.href;
</script>
</body></html>
"""

SIGN_OUT = '<form method="post" action="sign-out"><button type="submit">Sign out</button></form>'


def page(title: str, body: str) -> str:
    """A small page of the server's own (sign-in, refusals)."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def sign_in_page(error: str = "") -> str:
    """The token form; `error` says why the last try failed."""
    said = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    form = (
        '<form method="post" action="sign-in">'
        '<label for="token">Your personal token</label>'
        '<input id="token" name="token" type="password" autocomplete="current-password" '
        "autofocus required>"
        '<button type="submit">Sign in</button></form>'
    )
    return page("Sign in to branchwise", said + form)


def app_page(font_size: int, signed_in: bool) -> str:
    """The page whose terminal runs one app for this tab."""
    return APP_PAGE.format(
        title="branchwise", font_size=font_size, sign_out=SIGN_OUT if signed_in else ""
    )


def message_page(title: str, text: str, retry: bool = False) -> str:
    """A refusal or a limit, said plainly, with a way to try again when that can help."""
    again = '<p><a href="./">Try again</a></p>' if retry else ""
    return page(title, f"<p>{escape(text)}</p>{again}")
