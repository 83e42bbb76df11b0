/**
 * Arguments of `/ontology <subcommand> …`: a small tokenizer (quotes, Slack's curly quotes) and a parser for
 * positionals and `--flags` that answers a bad argument with one line naming it and what it takes.
 */
import { InvalidArgumentError } from '../errors.ts';

/** What a subcommand accepts after its name. */
export interface ArgSpec {
  /** Positional arguments in order; `required` ones must be given. */
  positionals: readonly { name: string; required?: boolean }[];
  /** Flags by name (without `--`): `value` flags take the next token (`--limit 5` or `--limit=5`). */
  flags: Readonly<Record<string, { value: boolean }>>;
}

/** Parsed arguments: positionals by name, flags by name (`true` for a flag without value). */
export interface ParsedArgs {
  positionals: Record<string, string | undefined>;
  flags: Record<string, string | true | undefined>;
}

/**
 * Splits command text into tokens on whitespace; "double", “curly” or 'single' quotes keep spaces inside one
 * token. An unterminated quote runs to the end of the text.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: string | null = null;
  const closing: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’' };
  for (const char of text) {
    if (quote !== null) {
      if (char === closing[quote]) quote = null;
      else current += char;
      continue;
    }
    if (/\s/.test(char)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else if (char in closing) {
      quote = char;
      inToken = true;
    } else {
      current += char;
      inToken = true;
    }
  }
  if (inToken) tokens.push(current);
  return tokens;
}

/** Parses `tokens` against `spec`; `command` names the subcommand in error messages. */
export function parseArgs(tokens: readonly string[], spec: ArgSpec, command: string): ParsedArgs {
  const positionals: Record<string, string | undefined> = {};
  const flags: Record<string, string | true | undefined> = {};
  const given: string[] = [];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.startsWith('--') && token.length > 2) {
      const [name, inline] = splitFlag(token.slice(2));
      const flag = spec.flags[name];
      if (!flag) {
        const known = Object.keys(spec.flags).map((known) => `--${known}`);
        throw new InvalidArgumentError(
          `Unknown option --${name} for \`${command}\`: ${known.length === 0 ? 'it takes no options' : `it takes ${known.join(', ')}`}.`,
        );
      }
      if (name in flags) throw new InvalidArgumentError(`Option --${name} of \`${command}\` is given twice: give it once.`);
      if (!flag.value) {
        if (inline !== undefined) throw new InvalidArgumentError(`Option --${name} of \`${command}\` takes no value, got ${quoted(inline)}.`);
        flags[name] = true;
        continue;
      }
      const value = inline ?? tokens[++index];
      if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
        throw new InvalidArgumentError(`Option --${name} of \`${command}\` needs a value.`);
      }
      flags[name] = value;
      continue;
    }
    given.push(token);
  }
  if (given.length > spec.positionals.length) {
    const extra = given.slice(spec.positionals.length).map(quoted).join(' ');
    throw new InvalidArgumentError(
      `Too many arguments for \`${command}\`: ${extra} is more than it takes${spec.positionals.length === 0 ? ' (it takes none)' : ''}.`,
    );
  }
  spec.positionals.forEach((positional, index) => {
    const value = given[index];
    if (value === undefined && positional.required) {
      throw new InvalidArgumentError(`\`${command}\` needs <${positional.name}>.`);
    }
    positionals[positional.name] = value;
  });
  return { positionals, flags };
}

/** A token quoted for an error message, shortened when long (a message names it, it need not repeat it all). */
export function quoted(token: string): string {
  return `"${token.length > 60 ? `${token.slice(0, 60)}…` : token}"`;
}

function splitFlag(body: string): [string, string | undefined] {
  const equals = body.indexOf('=');
  return equals === -1 ? [body, undefined] : [body.slice(0, equals), body.slice(equals + 1)];
}

/** A whole number from `min` to `max` given as `name`, or an error naming it. */
export function wholeNumberArg(raw: string, name: string, min: number, max: number): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, got ${quoted(raw)}.`);
  }
  return value;
}
