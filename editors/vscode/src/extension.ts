// The VS Code client of the marginalia language server.

import * as fs from 'fs';
import * as os from 'os';
import * as readline from 'readline';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';
import { bundledServerPath, findServer } from './serverPath';
import { matchesFilePatterns, serverSettings } from './settings';

const SECTION = 'marginalia';
const LANGUAGE = 'marginalia';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let lastSentSettings = '';
/**
 * Open documents given the `marginalia` language by a pattern: if the user then picks another
 * language (VS Code closes and reopens the document with it), their choice stays. Forgotten
 * when the document is really closed, so that it opens as `marginalia` again.
 */
const languageSet = new Set<string>();
/** Serialises starts, stops and restarts. */
let lifecycle: Promise<unknown> = Promise.resolve();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Marginalia', { log: true });
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand('marginalia.palette.insertNote', () =>
      runServerCommand('marginalia.insertNote', true),
    ),
    vscode.commands.registerCommand('marginalia.palette.renumberNotes', () =>
      runServerCommand('marginalia.renumberNotes', false),
    ),
    vscode.commands.registerCommand('marginalia.palette.reflowParagraphs', () =>
      runServerCommand('marginalia.reflowParagraphs', false),
    ),
    vscode.commands.registerCommand('marginalia.palette.repairScars', () =>
      runServerCommand('marginalia.repairScars', false),
    ),
    vscode.commands.registerCommand('marginalia.restartServer', () => restart(context)),
    vscode.commands.registerCommand('marginalia.showOutput', () => output.show(true)),
  );

  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(applyFilePatterns),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      const key = doc.uri.toString();
      if (!languageSet.has(key)) return;
      // A change of language closes and reopens at once; a real close leaves it closed.
      setTimeout(() => {
        if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === key)) languageSet.delete(key);
      }, 1000);
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration(`${SECTION}.server.path`)) {
        await restart(context);
        return;
      }
      if (e.affectsConfiguration(`${SECTION}.filePatterns`)) {
        vscode.workspace.textDocuments.forEach(applyFilePatterns);
      }
      if (e.affectsConfiguration(SECTION)) await sendSettings();
    }),
  );
  vscode.workspace.textDocuments.forEach(applyFilePatterns);

  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

function currentSettings(): Record<string, unknown> {
  return serverSettings(vscode.workspace.getConfiguration(SECTION));
}

/** The extension's own keys: sent along (the server ignores them), but no reason to send. */
const OWN_KEYS = ['server', 'trace', 'filePatterns'];

function serverPart(settings: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(settings).filter(([k]) => !OWN_KEYS.includes(k))));
}

/** Sends the settings with workspace/didChangeConfiguration when the server's part changed. */
async function sendSettings(): Promise<void> {
  const settings = currentSettings();
  const json = serverPart(settings);
  if (!client || !client.isRunning() || json === lastSentSettings) return;
  lastSentSettings = json;
  await client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { [SECTION]: settings },
  });
}

function applyFilePatterns(doc: vscode.TextDocument): void {
  if (doc.languageId !== 'plaintext' || doc.uri.scheme !== 'file') return;
  const key = doc.uri.toString();
  if (languageSet.has(key)) return;
  const patterns = vscode.workspace.getConfiguration(SECTION).get<string[]>('filePatterns', []);
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
  if (!matchesFilePatterns(doc.uri.fsPath, patterns, folder)) return;
  languageSet.add(key);
  void vscode.languages.setTextDocumentLanguage(doc, LANGUAGE);
}

function start(context: vscode.ExtensionContext): Promise<unknown> {
  lifecycle = lifecycle.then(() => doStart(context)).catch(reportError);
  return lifecycle;
}

function stop(): Promise<unknown> {
  lifecycle = lifecycle.then(doStop).catch(reportError);
  return lifecycle;
}

function restart(context: vscode.ExtensionContext): Promise<unknown> {
  lifecycle = lifecycle
    .then(doStop)
    .then(() => doStart(context))
    .catch(reportError);
  return lifecycle;
}

function reportError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  output.appendLine(`[marginalia] ${message}`);
  void vscode.window.showErrorMessage(`Marginalia: ${message}`, 'Show Output').then((choice) => {
    if (choice) output.show(true);
  });
}

async function doStop(): Promise<void> {
  const old = client;
  client = undefined;
  lastSentSettings = '';
  if (old) {
    try {
      await old.stop();
    } catch (err) {
      output.appendLine(`[marginalia] stopping the server: ${String(err)}`);
    }
    await old.dispose().catch(() => undefined);
  }
}

async function doStart(context: vscode.ExtensionContext): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  ensureExecutable(bundledServerPath(context.extensionPath, process.platform));
  const lookup = findServer({
    configuredPath: config.get<string>('server.path'),
    extensionPath: context.extensionPath,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    envPath: process.env.PATH,
    envPathExt: process.env.PATHEXT,
    platform: process.platform,
    homeDir: os.homedir(),
  });
  if (lookup.kind === 'error') {
    output.appendLine(lookup.message);
    // Not awaited: the message stays until the user answers, and a restart must not wait.
    void vscode.window
      .showErrorMessage(lookup.message, 'Open Settings', 'Show Output')
      .then((choice) => {
        if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'marginalia.server.path');
        } else if (choice === 'Show Output') {
          output.show(true);
        }
      });
    return;
  }
  output.appendLine(`[marginalia] server: ${lookup.path} (${lookup.source})`);

  const serverOptions: ServerOptions = {
    command: lookup.path,
    args: ['--stdio'],
    options: { env: process.env },
  };
  const selector = ['file', 'untitled'].flatMap((scheme) =>
    ['plaintext', LANGUAGE].map((language) => ({ scheme, language })),
  );
  const initial = currentSettings();
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    initializationOptions: initial,
    outputChannel: output,
    // The server logs to stderr with tracing's levels: keep them (the client's default would
    // show every stderr line as an error).
    stdioOptions: {
      stdout: (input, channel) => {
        readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on('line', (l) => channel.info(l));
      },
      stderr: (input, channel) => {
        readline.createInterface({ input, crlfDelay: Infinity, terminal: false }).on('line', (l) => logServerLine(channel, l));
      },
    },
    middleware: {
      workspace: {
        // workspace/configuration: the same cleaned section as initializationOptions.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          return result.map((value, i) => {
            const section = params.items[i]?.section;
            if (section === SECTION) return serverSettings(value);
            if (section === undefined || section === '') {
              const all = (value ?? {}) as Record<string, unknown>;
              return { ...all, [SECTION]: serverSettings(all[SECTION]) };
            }
            return value;
          });
        },
      },
    },
  };
  clientOptions.traceOutputChannel = traceChannel(context);
  const next = new LanguageClient(SECTION, 'Marginalia', serverOptions, clientOptions);
  next.onDidChangeState((e) => {
    if (e.newState === State.Stopped) output.appendLine('[marginalia] server stopped');
  });
  client = next;
  lastSentSettings = serverPart(initial);
  await next.start();
}

/** A line of the server's log (`<time>  INFO target: message`) at its own level. */
function logServerLine(channel: vscode.LogOutputChannel, line: string): void {
  const m = /^\S+\s+(TRACE|DEBUG|INFO|WARN|ERROR)\s+(.*)$/.exec(line);
  if (!m) {
    channel.error(line); // a panic or anything else the server did not log itself
    return;
  }
  const message = m[2];
  switch (m[1]) {
    case 'TRACE':
      channel.trace(message);
      break;
    case 'DEBUG':
      channel.debug(message);
      break;
    case 'INFO':
      channel.info(message);
      break;
    case 'WARN':
      channel.warn(message);
      break;
    default:
      channel.error(message);
  }
}

let traceChannelInstance: vscode.LogOutputChannel | undefined;

/**
 * Where vscode-languageclient writes the LSP trace: the Marginalia output channel. The client
 * traces only while its trace channel's log level is Trace (then `trace.server` picks
 * "messages" or "verbose"); this channel reports Trace while `marginalia.trace.server` is not
 * "off" (or the user set the Marginalia channel's log level to Trace), so that the setting
 * alone turns the trace on and off.
 */
function traceChannel(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  if (traceChannelInstance) return traceChannelInstance;
  const traceSetting = () => vscode.workspace.getConfiguration(SECTION).get<string>('trace.server', 'off');
  const level = () => (traceSetting() !== 'off' ? vscode.LogLevel.Trace : output.logLevel);
  const emitter = new vscode.EventEmitter<vscode.LogLevel>();
  context.subscriptions.push(
    emitter,
    output.onDidChangeLogLevel(() => emitter.fire(level())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.trace.server`)) emitter.fire(level());
    }),
  );
  const write = (message: string) => output.info(message);
  traceChannelInstance = {
    name: output.name,
    get logLevel() {
      return level();
    },
    onDidChangeLogLevel: emitter.event,
    trace: write,
    debug: write,
    info: write,
    warn: (message: string) => output.warn(message),
    error: (error: string | Error) => output.error(error),
    append: (value: string) => output.append(value),
    appendLine: (value: string) => output.appendLine(value),
    replace: (value: string) => output.replace(value),
    clear: () => output.clear(),
    show: (preserveFocus?: boolean | vscode.ViewColumn) => output.show(preserveFocus as boolean | undefined),
    hide: () => output.hide(),
    dispose: () => undefined, // the output channel is the extension's, disposed with it
  };
  return traceChannelInstance;
}

/**
 * Runs a server command on the active editor's document: `[uri]`, or `[uri, position]` at the
 * cursor. The server answers with workspace/applyEdit. The palette commands have ids of their
 * own: vscode-languageclient registers the server's ids itself.
 */
async function runServerCommand(command: string, withPosition: boolean): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || ![LANGUAGE, 'plaintext'].includes(editor.document.languageId)) {
    void vscode.window.showInformationMessage(
      'Marginalia: open a plain-text document (or a *.notes.txt file) first.',
    );
    return;
  }
  await lifecycle;
  const c = client;
  if (!c || !c.isRunning()) {
    void vscode.window.showErrorMessage(
      'Marginalia: the language server is not running (see "Marginalia: Show Output").',
    );
    return;
  }
  const args: unknown[] = [c.code2ProtocolConverter.asUri(editor.document.uri)];
  if (withPosition) args.push(c.code2ProtocolConverter.asPosition(editor.selection.active));
  try {
    await c.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    void vscode.window.showErrorMessage(`Marginalia: ${command} failed: ${message}`);
  }
}

/** An unpacked .vsix may have lost the bundled binary's execute bit. */
function ensureExecutable(file: string): void {
  if (process.platform === 'win32') return;
  try {
    const st = fs.statSync(file);
    if (st.isFile() && (st.mode & 0o111) === 0) fs.chmodSync(file, st.mode | 0o755);
  } catch {
    // no bundled server: the lookup goes on to PATH
  }
}
