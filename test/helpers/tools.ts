import { spawnSync } from 'node:child_process';

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an independent tool (openssl, xmllint, python3) and returns its exit status and output. */
export function tool(command: string, args: readonly string[], input?: Buffer): ToolRun {
  const r = spawnSync(command, args, { encoding: 'utf8', ...(input === undefined ? {} : { input }), maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `openssl cms -verify` of a detached DER signature over `contentPath`, as the issue prescribes. */
export function opensslVerifyDetached(signaturePath: string, contentPath: string, caFile: string): ToolRun {
  return tool('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', signaturePath, '-content', contentPath, '-CAfile', caFile, '-out', '/dev/null']);
}

/** `xmllint --noout --schema` over one or more files. */
export function xmllintSchema(schemaPath: string, files: readonly string[]): ToolRun {
  return tool('xmllint', ['--noout', '--schema', schemaPath, ...files]);
}
