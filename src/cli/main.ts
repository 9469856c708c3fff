import { CliError, EXIT } from './cli-error.ts';
import type { CommandContext } from './context.ts';
import { auditVerifyCommand, auditVerifyUsage } from './commands/audit.ts';
import { blobsGcCommand, blobsGcUsage } from './commands/blobs.ts';
import { directoryExportCommand, directoryExportUsage, directoryImportCommand, directoryImportUsage } from './commands/directory.ts';
import { initCommand, initUsage } from './commands/init.ts';
import { packCommand, packUsage } from './commands/pack.ts';
import { pkiInitCommand, pkiInitUsage } from './commands/pki-init.ts';
import { receiptCommand, receiptUsage } from './commands/receipt.ts';
import { serveCommand, serveUsage } from './commands/serve.ts';
import { timestampCommand, timestampUsage } from './commands/timestamp.ts';
import { trustImportTlCommand, trustImportTlUsage } from './commands/trust-import-tl.ts';
import { trustAddCommand, trustAddUsage, trustListCommand, trustListUsage } from './commands/trust.ts';
import { verifyCommand, verifyUsage } from './commands/verify.ts';

type Command = { run: (argv: readonly string[], ctx: CommandContext) => Promise<number>; usage: string };

const COMMANDS: Readonly<Record<string, Command>> = {
  serve: { run: serveCommand, usage: serveUsage },
  init: { run: initCommand, usage: initUsage },
  'pki init': { run: pkiInitCommand, usage: pkiInitUsage },
  pack: { run: packCommand, usage: packUsage },
  verify: { run: verifyCommand, usage: verifyUsage },
  timestamp: { run: timestampCommand, usage: timestampUsage },
  receipt: { run: receiptCommand, usage: receiptUsage },
  'audit verify': { run: auditVerifyCommand, usage: auditVerifyUsage },
  'blobs gc': { run: blobsGcCommand, usage: blobsGcUsage },
  'trust list': { run: trustListCommand, usage: trustListUsage },
  'trust add': { run: trustAddCommand, usage: trustAddUsage },
  'trust import-tl': { run: trustImportTlCommand, usage: trustImportTlUsage },
  'directory export': { run: directoryExportCommand, usage: directoryExportUsage },
  'directory import': { run: directoryImportCommand, usage: directoryImportUsage },
};

const OVERVIEW = `edx — signed letters, containers and receipts (edx-gateway)

  edx serve      run the gateway (as npm start), stop with Ctrl-C / SIGTERM
  edx init       first start without serving: database, directory, development PKI, tokens
  edx pki init   create a development PKI (root CA, gateway seal, participant keys)
  edx pack       pack and sign a letter container
  edx verify     verify a letter or receipt container, print the validation report
  edx timestamp  add an RFC 3161 signature time-stamp to a .p7s (CAdES-T)
  edx receipt    make a signed registered/refused receipt for a letter
  edx audit verify  check the hash chain of the gateway's journal
  edx blobs gc      remove stored blobs nothing references (older than a grace period)
  edx trust list    the gateway's trust anchors (qualified or not)
  edx trust add     add a CA certificate as a trust anchor
  edx trust import-tl  import an ETSI TS 119 612 trusted list (signature checked)
  edx directory export  write the participant directory as CSV or XML
  edx directory import  import participants from CSV or XML (all rows or none)

'edx <command> --help' shows a command's options.`;

/** Runs `edx` with the given arguments; returns the exit status instead of exiting (testable). */
export async function runCli(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const [first, second] = argv;
  // Two-word commands: `pki init`, `audit verify`, `blobs gc`, `trust list|add|import-tl`, `directory import|export`.
  const grouped = first === 'pki' || first === 'audit' || first === 'blobs' || first === 'trust' || first === 'directory';
  const name = grouped && second !== undefined ? `${first} ${second}` : first;
  const rest = grouped ? argv.slice(2) : argv.slice(1);
  if (name === undefined || name === '--help' || name === 'help' || name === '-h') {
    ctx.stdout(`${OVERVIEW}\n`);
    return name === undefined ? EXIT.badInput : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    ctx.stderr(`edx: unknown command "${argv.slice(0, grouped ? 2 : 1).join(' ')}"\n\n${OVERVIEW}\n`);
    return EXIT.badInput;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout(`${command.usage}\n`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, ctx);
  } catch (error) {
    if (error instanceof CliError) {
      ctx.stderr(`edx ${name}: ${error.code}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
