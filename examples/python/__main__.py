"""files-py: an example stack for pulumi-stack-action that needs no cloud account.

Every resource is a file written by a dynamic provider (see files_provider.py).

Config (namespace files-py):
  message    plain string, default "hello": text written into the files
  token      secret, default "": only ever exported inside the secret output `connection`
  outDir     directory for the files, default <program dir>/out/<stack>
  fileCount  integer, default 3: number of File resources (file-0 ... file-N-1)
  delayMs    integer, default 0: each create/update/delete sleeps this long first
             (changing only delayMs changes nothing; deletes use the delay stored at the
             resource's last create/update)
  baseUrl    default "https://files.example.com": where a web server would publish the files

Outputs: dir, files, manifest, greeting, url (plain) and connection (secret, contains the token).
"""

import os

import pulumi

from files_provider import File, Manifest

config = pulumi.Config()  # namespace = project name (files-py)
stack = pulumi.get_stack()
program_dir = os.path.dirname(os.path.abspath(__file__))

message = config.get("message") or "hello"
token = config.get_secret("token") or pulumi.Output.secret("")
file_count = config.get_int("fileCount")
file_count = 3 if file_count is None else file_count
delay_ms = config.get_int("delayMs") or 0
if file_count < 0:
    raise ValueError(f"fileCount must be >= 0, got {file_count}")
if delay_ms < 0:
    raise ValueError(f"delayMs must be >= 0, got {delay_ms}")

# The providers run in another process with another working directory: pass absolute paths.
out_dir = os.path.abspath(
    os.path.join(program_dir, config.get("outDir") or os.path.join("out", stack))
)

files = [
    File(
        f"file-{i}",
        path=os.path.join(out_dir, f"file-{i}.txt"),
        content=f"{message} #{i}\n",
        delay_ms=delay_ms,
    )
    for i in range(file_count)
]

manifest = Manifest(
    "manifest",
    path=os.path.join(out_dir, "manifest.json"),
    files=pulumi.Output.all(*[f.path for f in files]),
    stack=stack,
    delay_ms=delay_ms,
)

pulumi.export("dir", out_dir)
pulumi.export("files", [f.path for f in files])
pulumi.export("manifest", manifest.path)
pulumi.export("greeting", f"{message}, {stack}!")
# The address a deployed app would have: the example workflows check it and show it.
pulumi.export("url", f"{(config.get('baseUrl') or 'https://files.example.com').rstrip('/')}/{stack}/manifest.json")
pulumi.export("connection", pulumi.Output.secret(token.apply(lambda t: f"token={t}")))
