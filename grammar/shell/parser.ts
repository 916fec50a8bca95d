/**
 * The shell parser (chevrotain, embedded actions): tokens from lexer.ts into
 * the syntax tree of syntax.ts.
 *
 *   script       := newline* (andOr (';' | '&')? newline*)*           -- a separator or newline between items
 *   andOr        := pipeline (('&&' | '||') newline* pipeline)*
 *   pipeline     := 'time'? '!'? command (('|' | '|&') newline* command)*
 *   command      := compound redirect* | functionDef | simpleCommand
 *   compound     := if | for | select | while | until | case | '(' list ')' | '{' list '}' | '[[' ... ']]' | '((' ... '))'
 *   simpleCommand:= (word | redirect)+                                  -- leading NAME=value words are assignments
 *
 * Keywords are words by category, so a list ends where a closing keyword
 * (`then`, `fi`, `done`, `}` ...) stands in command position, exactly as in
 * the shell. After a syntax error the parser resumes at the next line, so
 * one bad line does not hide the commands of the others.
 */
import {
  EmbeddedActionsParser,
  EOF,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from '../chevrotain.js';
import {
  allTokens,
  AndIf,
  ArithCommand,
  Bang,
  beginSession,
  CLOSERS,
  Case,
  Do,
  Done,
  DLBracket,
  DRBracket,
  DSemi,
  DSemiAmp,
  Elif,
  Else,
  Esac,
  Fi,
  For,
  Function,
  HeredocOp,
  If,
  In,
  IoNumber,
  LBrace,
  lexScript,
  LParen,
  Newline,
  OrIf,
  outerOffset,
  Pipe,
  PipeAmp,
  RBrace,
  RedirectOp,
  restoreSession,
  RParen,
  Select,
  Semi,
  Amp,
  SemiAmp,
  session,
  Then,
  Time,
  tokenText,
  Until,
  While,
  Word,
  type PendingHeredoc,
  type RawError,
} from './lexer.js';
import {
  LineIndex,
  type ArithCommand as ArithCommandNode,
  type ArithForClause,
  type Assignment,
  type BraceGroup,
  type CaseClause,
  type CaseItem,
  type Command,
  type ForClause,
  type FunctionDefinition,
  type IfClause,
  type Pipeline,
  type Redirect,
  type RedirectOp as RedirectOpText,
  type ShellSyntaxError,
  type SimpleCommand,
  type Span,
  type Statement,
  type StatementList,
  type Subshell,
  type TestClause,
  type WhileClause,
  type Word as WordNode,
} from './syntax.js';

function describe(token: IToken): string {
  if (token.tokenType === EOF) return 'the end of the script';
  if (token.tokenType === Newline) return 'a newline';
  const text = tokenText(token);
  return `\`${text.length > 40 ? text.slice(0, 40) + '…' : text}\``;
}

function label(type: TokenType): string {
  return type.LABEL ?? type.name;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual }) {
    return `expected ${label(expected)} but found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describe(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, previous }) {
    const found = actual[0];
    const after = previous.tokenType === EOF || previous.image === undefined ? '' : ` after ${describe(previous)}`;
    return found === undefined ? 'unexpected input' : `unexpected ${describe(found)}${after}`;
  },
  buildEarlyExitMessage({ actual, previous }) {
    const found = actual[0];
    const after = previous.tokenType === EOF || previous.image === undefined ? '' : ` after ${describe(previous)}`;
    return found === undefined ? 'unexpected input' : `unexpected ${describe(found)}${after}`;
  },
};

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/;

/** Token types that may start a command. */
const COMMAND_START = new Set<TokenType>();
for (const t of allTokens) {
  if (t === Word || (t.CATEGORIES?.includes(Word) && !CLOSERS.includes(t))) COMMAND_START.add(t);
  if (t.CATEGORIES?.includes(RedirectOp) || t.CATEGORIES?.includes(HeredocOp)) COMMAND_START.add(t);
}
COMMAND_START.add(IoNumber);
COMMAND_START.add(LParen);
COMMAND_START.add(ArithCommand);
const CLOSER_SET = new Set<TokenType>(CLOSERS);

/** Token types (by chevrotain index) that are words, keywords included, and that start a redirection. */
// Dense arrays: reading a hole would take V8 off its fast path.
const maxTokenIdx = Math.max(...allTokens.map((t) => t.tokenTypeIdx!)) + 1;
const WORD_TYPES: boolean[] = new Array<boolean>(maxTokenIdx).fill(false);
const REDIRECT_STARTS: boolean[] = new Array<boolean>(maxTokenIdx).fill(false);
for (const t of allTokens) {
  const idx = t.tokenTypeIdx!;
  if (t === Word || t.CATEGORIES?.includes(Word)) WORD_TYPES[idx] = true;
  if (t === IoNumber || t.CATEGORIES?.includes(RedirectOp) || t.CATEGORIES?.includes(HeredocOp))
    REDIRECT_STARTS[idx] = true;
}

class ShellGrammar extends EmbeddedActionsParser {
  /** Added to token offsets for the tokens being parsed. */
  base = 0;
  /** Top-level statements parsed so far (kept when a later statement fails). */
  completed: Statement[] = [];
  /** Errors that do not stop the parse. */
  softErrors: Array<{ token: IToken; message: string }> = [];

  /** `validate`: check the grammar's definition too (tests do: at start-up it costs time and finds nothing). */
  constructor(validate = false) {
    super(allTokens, {
      maxLookahead: 1,
      recoveryEnabled: false,
      errorMessageProvider: messages,
      skipValidations: !validate,
    });
    this.performSelfAnalysis();
  }

  private start(t: IToken): number {
    const w = t.payload as WordNode | undefined;
    return w !== undefined && w.kind === 'Word' ? w.start : this.base + t.startOffset;
  }

  private end(t: IToken): number {
    const w = t.payload as WordNode | undefined;
    return w !== undefined && w.kind === 'Word' ? w.end : this.base + t.startOffset + tokenText(t).length;
  }

  /** End of the last consumed token. */
  private lastEnd(): number {
    return this.end(this.LA(0));
  }

  /** The Word node of a word token (keywords used as words get a literal node). */
  word(t: IToken): WordNode {
    const w = t.payload as WordNode | undefined;
    if (w !== undefined && w.kind === 'Word') return w;
    const text = tokenText(t);
    const start = this.base + t.startOffset;
    const end = start + text.length;
    return { kind: 'Word', text, parts: [{ kind: 'Literal', value: text, start, end }], start, end };
  }

  private startsCommand(): boolean {
    return COMMAND_START.has(this.LA(1).tokenType);
  }

  private requireCommands(list: StatementList, what: string): void {
    if (list.length === 0)
      this.softErrors.push({
        token: this.LA(1),
        message: `expected a command ${what} but found ${describe(this.LA(1))}`,
      });
  }

  /** The whole script: top-level statements go to `completed` as soon as they are parsed. */
  script = this.RULE('script', () => {
    this.SUBRULE(this.list, { ARGS: [true] });
  });

  // Alternatives built once: chevrotain takes the same array on every call, which
  // saves allocating closures on the hottest paths.
  private readonly separatorAlts = [{ ALT: () => this.CONSUME(Semi) }, { ALT: () => this.CONSUME(Amp) }];
  private readonly andOrAlts = [{ ALT: () => this.CONSUME(AndIf) }, { ALT: () => this.CONSUME(OrIf) }];
  private readonly pipeAlts = [{ ALT: () => this.CONSUME(Pipe) }, { ALT: () => this.CONSUME(PipeAmp) }];
  // A command: compound keywords first (`if` is also a Word); one token of lookahead decides.
  private readonly firstCommand = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { ALT: () => this.SUBRULE(this.compoundCommand) },
      { ALT: () => this.SUBRULE(this.functionKeyword) },
      { ALT: () => this.SUBRULE(this.simpleCommand) },
    ],
  };
  private readonly pipedCommand = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { ALT: () => this.SUBRULE2(this.compoundCommand) },
      { ALT: () => this.SUBRULE2(this.functionKeyword) },
      { ALT: () => this.SUBRULE2(this.simpleCommand) },
    ],
  };
  private readonly nextCommand = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      { ALT: () => this.SUBRULE3(this.compoundCommand) },
      { ALT: () => this.SUBRULE3(this.functionKeyword) },
      { ALT: () => this.SUBRULE3(this.simpleCommand) },
    ],
  };

  list = this.RULE('list', (top: boolean): StatementList => {
    if (!this.RECORDING_PHASE) return this.listFast(top);
    const out: StatementList = [];
    this.MANY(() => this.CONSUME(Newline));
    let more = true;
    this.MANY2({
      GATE: () => more && this.startsCommand(),
      DEF: () => {
        const statement = this.SUBRULE(this.andOr);
        let separated = false;
        const separator = this.OPTION(() => this.OR(this.separatorAlts));
        this.MANY3(() => {
          this.CONSUME2(Newline);
          separated = true;
        });
        if (!this.RECORDING_PHASE) {
          statement.background = separator !== undefined && separator.tokenType === Amp;
          out.push(statement);
          if (top) this.completed.push(statement);
          more = separated || separator !== undefined;
        }
      },
    });
    return out;
  });

  /**
   * An and-or list of pipelines, `[time] [!] cmd | cmd && [!] cmd || cmd`.
   * Pipelines and commands are parsed here rather than in rules of their own:
   * this is the path every statement takes, and rule calls cost.
   */
  andOr = this.RULE('andOr', (): Statement => {
    if (!this.RECORDING_PHASE) return this.andOrFast();
    const pipelines: Pipeline[] = [];
    const operators: Array<'&&' | '||'> = [];
    let pipeline = this.pipelineStart(
      this.OPTION(() => this.CONSUME(Time)),
      this.OPTION2(() => this.CONSUME(Bang)),
      this.OR(this.firstCommand),
    );
    this.MANY(() => {
      this.OR2([
        {
          ALT: () => {
            const op = this.OR3(this.pipeAlts);
            this.MANY2(() => this.CONSUME(Newline));
            const next = this.OR4(this.pipedCommand);
            if (!this.RECORDING_PHASE) {
              pipeline.pipeStderr.push(op.tokenType === PipeAmp);
              pipeline.commands.push(next);
              pipeline.end = commandEnd(next);
            }
          },
        },
        {
          ALT: () => {
            const op = this.OR5(this.andOrAlts);
            this.MANY3(() => this.CONSUME2(Newline));
            const time = this.OPTION3(() => this.CONSUME2(Time));
            const bang = this.OPTION4(() => this.CONSUME2(Bang));
            const next = this.OR6(this.nextCommand);
            if (!this.RECORDING_PHASE) {
              pipelines.push(pipeline);
              operators.push(op.tokenType === AndIf ? '&&' : '||');
              pipeline = this.pipelineStart(time, bang, next);
            }
          },
        },
      ]);
    });
    if (this.RECORDING_PHASE) return pipeline as unknown as Statement;
    pipelines.push(pipeline);
    return {
      kind: 'Statement',
      pipelines,
      operators,
      background: false,
      start: pipelines[0]!.start,
      end: pipeline.end,
    };
  });

  // Fast paths. `list` and `andOr` are what every statement goes through, and
  // chevrotain's MANY/OPTION/OR cost several calls per token. At run time they
  // take the same one-token decisions as the DSL above (which chevrotain records
  // and analyses as the grammar) with the token API — LA and SKIP_TOKEN — and
  // call the DSL (OR, SUBRULE) with the recorded occurrence numbers for the
  // commands themselves, so errors come from chevrotain as before.

  private take(): IToken {
    const t = this.LA(1);
    this.SKIP_TOKEN();
    return t;
  }

  private skipNewlines(): boolean {
    let any = false;
    while (this.LA(1).tokenType === Newline) {
      this.SKIP_TOKEN();
      any = true;
    }
    return any;
  }

  private listFast(top: boolean): StatementList {
    const out: StatementList = [];
    this.skipNewlines();
    while (this.startsCommand()) {
      const statement = this.SUBRULE(this.andOr);
      const t = this.LA(1).tokenType;
      const separator = t === Semi || t === Amp ? this.take() : undefined;
      const newline = this.skipNewlines();
      statement.background = separator?.tokenType === Amp;
      out.push(statement);
      if (top) this.completed.push(statement);
      if (separator === undefined && !newline) break;
    }
    return out;
  }

  private andOrFast(): Statement {
    const pipelines: Pipeline[] = [];
    const operators: Array<'&&' | '||'> = [];
    let time = this.LA(1).tokenType === Time ? this.take() : undefined;
    let bang = this.LA(1).tokenType === Bang ? this.take() : undefined;
    let pipeline = this.pipelineStart(time, bang, this.plainSimple() ?? this.OR(this.firstCommand));
    for (;;) {
      const t = this.LA(1).tokenType;
      if (t === Pipe || t === PipeAmp) {
        this.SKIP_TOKEN();
        this.skipNewlines();
        const next = this.plainSimple() ?? this.OR4(this.pipedCommand);
        pipeline.pipeStderr.push(t === PipeAmp);
        pipeline.commands.push(next);
        pipeline.end = commandEnd(next);
      } else if (t === AndIf || t === OrIf) {
        this.SKIP_TOKEN();
        this.skipNewlines();
        time = this.LA(1).tokenType === Time ? this.take() : undefined;
        bang = this.LA(1).tokenType === Bang ? this.take() : undefined;
        const next = this.plainSimple() ?? this.OR6(this.nextCommand);
        pipelines.push(pipeline);
        operators.push(t === AndIf ? '&&' : '||');
        pipeline = this.pipelineStart(time, bang, next);
      } else break;
    }
    pipelines.push(pipeline);
    return {
      kind: 'Statement',
      pipelines,
      operators,
      background: false,
      start: pipelines[0]!.start,
      end: pipeline.end,
    };
  }

  /**
   * A command that starts with a plain word (not a keyword) not followed by
   * `(`: the alternative OR takes for it, then simpleCommand's fast path, without
   * the two calls through chevrotain (the most common command). Undefined for
   * any other command, which goes through OR.
   */
  private plainSimple(): SimpleCommand | undefined {
    const t = this.LA(1);
    if (t.tokenType !== Word || this.LA(2).tokenType === LParen) return undefined;
    this.SKIP_TOKEN();
    const w = this.word(t);
    const node: SimpleCommand = {
      kind: 'SimpleCommand',
      assignments: [],
      words: [],
      redirects: [],
      start: w.start,
      end: 0,
    };
    this.addWord(node, w);
    this.simpleWords(node);
    node.end = this.lastEnd();
    return node;
  }

  private pipelineStart(time: IToken | undefined, bang: IToken | undefined, first: Command): Pipeline {
    if (this.RECORDING_PHASE) return first as unknown as Pipeline;
    const startToken = time ?? bang;
    return {
      kind: 'Pipeline',
      negated: bang !== undefined,
      timed: time !== undefined,
      commands: [first],
      pipeStderr: [],
      start: startToken !== undefined ? this.start(startToken) : first.start,
      end: commandEnd(first),
    };
  }

  compoundCommand = this.RULE('compoundCommand', (): Command => {
    const cmd = this.OR([
      { ALT: () => this.SUBRULE(this.ifClause) },
      { ALT: () => this.SUBRULE(this.forClause) },
      { ALT: () => this.SUBRULE(this.whileClause) },
      { ALT: () => this.SUBRULE(this.caseClause) },
      { ALT: () => this.SUBRULE(this.subshell) },
      { ALT: () => this.SUBRULE(this.braceGroup) },
      { ALT: () => this.SUBRULE(this.testClause) },
      { ALT: () => this.SUBRULE(this.arithCommand) },
    ]);
    this.MANY(() => {
      const r = this.SUBRULE(this.redirect);
      this.ACTION(() => cmd.redirects.push(r));
    });
    return cmd;
  });

  /** A simple command, or a function definition `name() compound` (both start with a word). */
  simpleCommand = this.RULE('simpleCommand', (): SimpleCommand | FunctionDefinition => {
    const node: SimpleCommand = { kind: 'SimpleCommand', assignments: [], words: [], redirects: [], start: 0, end: 0 };
    if (!this.RECORDING_PHASE) {
      // Fast path for the common case, a word not followed by `(`: the same as
      // the DSL below (first alternative, no function definition), done with the token API.
      const t = this.LA(1);
      if (WORD_TYPES[t.tokenTypeIdx] === true && this.LA(2).tokenType !== LParen && !CLOSER_SET.has(t.tokenType)) {
        this.SKIP_TOKEN();
        const w = this.word(t);
        node.start = w.start;
        this.addWord(node, w);
        this.simpleWords(node);
        node.end = this.lastEnd();
        return node;
      }
    }
    let fn: FunctionDefinition | undefined;
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(Word);
          this.ACTION(() => {
            if (CLOSER_SET.has(t.tokenType)) this.softErrors.push({ token: t, message: `unexpected ${describe(t)}` });
            const w = this.word(t);
            node.start = w.start;
            this.addWord(node, w);
          });
          this.OPTION(() => {
            this.CONSUME(LParen);
            this.CONSUME(RParen);
            this.MANY(() => this.CONSUME(Newline));
            const body = this.SUBRULE(this.compoundCommand);
            this.ACTION(() => {
              fn = { kind: 'Function', name: tokenText(t), body, redirects: [], start: node.start, end: body.end };
            });
          });
        },
      },
      {
        ALT: () => {
          const r = this.SUBRULE(this.redirect);
          this.ACTION(() => {
            node.start = r.start;
            node.redirects.push(r);
          });
        },
      },
    ]);
    if (this.RECORDING_PHASE) {
      // The grammar of the loop below, for chevrotain's analysis.
      this.MANY2(() => {
        this.OR2([{ ALT: () => this.CONSUME2(Word) }, { ALT: () => this.SUBRULE2(this.redirect) }]);
      });
    } else if (fn === undefined) {
      this.simpleWords(node);
    }
    return this.ACTION(() => {
      if (fn !== undefined) return fn;
      node.end = this.lastEnd();
      return node;
    });
  });

  /**
   * The words and redirections of a simple command after its first: the
   * parser's hottest loop, written with chevrotain's token API (LA, SKIP_TOKEN)
   * instead of MANY/OR, which cost several calls per word. Its grammar is
   * recorded by the MANY2 in simpleCommand.
   */
  private simpleWords(node: SimpleCommand): void {
    for (;;) {
      const t = this.LA(1);
      if (WORD_TYPES[t.tokenTypeIdx] === true) {
        this.SKIP_TOKEN();
        this.addWord(node, this.word(t));
      } else if (REDIRECT_STARTS[t.tokenTypeIdx] === true) {
        node.redirects.push(this.SUBRULE2(this.redirect));
      } else return;
    }
  }

  private addWord(node: SimpleCommand, w: WordNode): void {
    if (node.words.length === 0) {
      const a = assignment(w);
      if (a !== null) {
        node.assignments.push(a);
        return;
      }
    }
    node.words.push(w);
  }

  redirect = this.RULE('redirect', (): Redirect => {
    let fd: IToken | undefined;
    this.OPTION(() => {
      fd = this.CONSUME(IoNumber);
    });
    return this.OR([
      {
        ALT: () => {
          const op = this.CONSUME(RedirectOp);
          const target = this.CONSUME(Word);
          return this.ACTION(() => this.makeRedirect(fd, op, target));
        },
      },
      {
        ALT: () => {
          const op = this.CONSUME(HeredocOp);
          const delimiter = this.CONSUME2(Word);
          return this.ACTION(() => this.makeHeredoc(fd, op, delimiter));
        },
      },
    ]);
  });

  private makeRedirect(fd: IToken | undefined, op: IToken, targetToken: IToken): Redirect {
    const target = this.word(targetToken);
    const r: Redirect = {
      kind: 'Redirect',
      op: tokenText(op) as RedirectOpText,
      target,
      start: fd ? this.start(fd) : this.start(op),
      end: target.end,
    };
    if (fd) r.fd = Number(tokenText(fd));
    return r;
  }

  private makeHeredoc(fd: IToken | undefined, op: IToken, delimiterToken: IToken): Redirect {
    const r = this.makeRedirect(fd, op, delimiterToken);
    const pending = op.payload as PendingHeredoc;
    if (!pending.hasBody || pending.content === null) {
      this.softErrors.push({
        token: delimiterToken,
        message: `heredoc "${pending.delimiter}" has no body: the script ends before the next line`,
      });
      return r;
    }
    r.heredoc = {
      delimiter: pending.delimiter,
      quoted: pending.quoted,
      stripTabs: pending.stripTabs,
      terminated: pending.terminated,
      content: pending.content,
      start: pending.bodyStart,
      end: pending.bodyEnd,
    };
    return r;
  }

  ifClause = this.RULE('ifClause', (): IfClause => {
    const start = this.CONSUME(If);
    const condition = this.SUBRULE(this.list, { ARGS: [false] });
    this.ACTION(() => this.requireCommands(condition, 'after `if`'));
    this.CONSUME(Then);
    const body = this.SUBRULE2(this.list, { ARGS: [false] });
    this.ACTION(() => this.requireCommands(body, 'after `then`'));
    const branches = [{ condition, body }];
    let elseBody: StatementList | undefined;
    this.MANY(() => {
      this.CONSUME(Elif);
      const c = this.SUBRULE3(this.list, { ARGS: [false] });
      this.ACTION(() => this.requireCommands(c, 'after `elif`'));
      this.CONSUME2(Then);
      const b = this.SUBRULE4(this.list, { ARGS: [false] });
      this.ACTION(() => {
        this.requireCommands(b, 'after `then`');
        branches.push({ condition: c, body: b });
      });
    });
    this.OPTION(() => {
      this.CONSUME(Else);
      elseBody = this.SUBRULE5(this.list, { ARGS: [false] });
      this.ACTION(() => this.requireCommands(elseBody!, 'after `else`'));
    });
    const end = this.CONSUME(Fi);
    return this.ACTION(() => {
      const node: IfClause = { kind: 'If', branches, redirects: [], start: this.start(start), end: this.end(end) };
      if (elseBody !== undefined) node.elseBody = elseBody;
      return node;
    });
  });

  forClause = this.RULE('forClause', (): ForClause | ArithForClause => {
    const keyword = this.OR([{ ALT: () => this.CONSUME(For) }, { ALT: () => this.CONSUME(Select) }]);
    return this.OR2([
      {
        ALT: () => {
          const header = this.CONSUME(ArithCommand);
          this.OPTION(() => this.CONSUME(Semi));
          this.MANY(() => this.CONSUME(Newline));
          const body = this.SUBRULE(this.loopBody);
          return this.ACTION((): ArithForClause => ({
            kind: 'ArithFor',
            expression: tokenText(header).slice(2, -2),
            body,
            redirects: [],
            start: this.start(keyword),
            end: this.lastEnd(),
          }));
        },
      },
      {
        ALT: () => {
          const variable = this.CONSUME(Word);
          let items: WordNode[] | undefined;
          this.MANY2(() => this.CONSUME2(Newline));
          this.OPTION2(() => {
            this.CONSUME(In);
            items = [];
            this.MANY3(() => {
              const w = this.CONSUME2(Word);
              this.ACTION(() => items!.push(this.word(w)));
            });
          });
          this.OPTION3(() => this.CONSUME2(Semi));
          this.MANY4(() => this.CONSUME3(Newline));
          const body = this.SUBRULE2(this.loopBody);
          return this.ACTION((): ForClause => {
            const node: ForClause = {
              kind: 'For',
              select: keyword.tokenType === Select,
              variable: this.word(variable),
              body,
              redirects: [],
              start: this.start(keyword),
              end: this.lastEnd(),
            };
            if (items !== undefined) node.items = items;
            return node;
          });
        },
      },
    ]);
  });

  /** `do ... done`, or bash's `{ ... }` as a loop body. */
  loopBody = this.RULE('loopBody', (): StatementList => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(Do);
          const body = this.SUBRULE(this.list, { ARGS: [false] });
          this.ACTION(() => this.requireCommands(body, 'after `do`'));
          this.CONSUME(Done);
          return body;
        },
      },
      { ALT: () => this.SUBRULE(this.braceGroup).body },
    ]);
  });

  whileClause = this.RULE('whileClause', (): WhileClause => {
    const keyword = this.OR([{ ALT: () => this.CONSUME(While) }, { ALT: () => this.CONSUME(Until) }]);
    const condition = this.SUBRULE(this.list, { ARGS: [false] });
    this.ACTION(() => this.requireCommands(condition, `after \`${tokenText(keyword)}\``));
    const body = this.SUBRULE(this.loopBody);
    return this.ACTION(() => ({
      kind: 'While' as const,
      until: keyword.tokenType === Until,
      condition,
      body,
      redirects: [],
      start: this.start(keyword),
      end: this.lastEnd(),
    }));
  });

  caseClause = this.RULE('caseClause', (): CaseClause => {
    const start = this.CONSUME(Case);
    const subject = this.CONSUME(Word);
    this.MANY(() => this.CONSUME(Newline));
    this.CONSUME(In);
    this.MANY2(() => this.CONSUME2(Newline));
    const items: CaseItem[] = [];
    let more = true;
    this.MANY3({
      GATE: () => more && this.LA(1).tokenType !== Esac,
      DEF: () => {
        let open: IToken | undefined;
        this.OPTION(() => {
          open = this.CONSUME(LParen);
        });
        const patterns = [this.CONSUME2(Word)];
        this.MANY4(() => {
          this.CONSUME(Pipe);
          patterns.push(this.CONSUME3(Word));
        });
        this.CONSUME(RParen);
        const body = this.SUBRULE(this.list, { ARGS: [false] });
        let terminator: CaseItem['terminator'] = '';
        this.OPTION2(() => {
          const t = this.OR([
            { ALT: () => this.CONSUME(DSemi) },
            { ALT: () => this.CONSUME(SemiAmp) },
            { ALT: () => this.CONSUME(DSemiAmp) },
          ]);
          terminator = tokenText(t) as CaseItem['terminator'];
        });
        this.ACTION(() => {
          const words = patterns.map((p) => this.word(p));
          items.push({
            patterns: words,
            body,
            terminator,
            start: open ? this.start(open) : words[0]!.start,
            end: this.lastEnd(),
          });
        });
        this.MANY5(() => this.CONSUME3(Newline));
        this.ACTION(() => {
          more = terminator !== '';
        });
      },
    });
    const end = this.CONSUME(Esac);
    return this.ACTION(() => ({
      kind: 'Case' as const,
      subject: this.word(subject),
      items,
      redirects: [],
      start: this.start(start),
      end: this.end(end),
    }));
  });

  subshell = this.RULE('subshell', (): Subshell => {
    const open = this.CONSUME(LParen);
    const body = this.SUBRULE(this.list, { ARGS: [false] });
    this.ACTION(() => this.requireCommands(body, 'after `(`'));
    const close = this.CONSUME(RParen);
    return this.ACTION(() => ({
      kind: 'Subshell' as const,
      body,
      redirects: [],
      start: this.start(open),
      end: this.end(close),
    }));
  });

  braceGroup = this.RULE('braceGroup', (): BraceGroup => {
    const open = this.CONSUME(LBrace);
    const body = this.SUBRULE(this.list, { ARGS: [false] });
    this.ACTION(() => this.requireCommands(body, 'after `{`'));
    const close = this.CONSUME(RBrace);
    return this.ACTION(() => ({
      kind: 'BraceGroup' as const,
      body,
      redirects: [],
      start: this.start(open),
      end: this.end(close),
    }));
  });

  testClause = this.RULE('testClause', (): TestClause => {
    const open = this.CONSUME(DLBracket);
    const words: WordNode[] = [];
    this.MANY({
      GATE: () => this.LA(1).tokenType !== DRBracket,
      DEF: () => {
        this.OR([
          {
            ALT: () => {
              const w = this.CONSUME(Word);
              this.ACTION(() => words.push(this.word(w)));
            },
          },
          { ALT: () => this.CONSUME(AndIf) },
          { ALT: () => this.CONSUME(OrIf) },
          { ALT: () => this.CONSUME(LParen) },
          { ALT: () => this.CONSUME(RParen) },
          { ALT: () => this.CONSUME(Pipe) },
          { ALT: () => this.CONSUME(RedirectOp) },
          { ALT: () => this.CONSUME(Newline) },
        ]);
      },
    });
    const close = this.CONSUME(DRBracket);
    return this.ACTION(() => ({
      kind: 'Test' as const,
      words,
      redirects: [],
      start: this.start(open),
      end: this.end(close),
    }));
  });

  arithCommand = this.RULE('arithCommand', (): ArithCommandNode => {
    const t = this.CONSUME(ArithCommand);
    return this.ACTION(() => ({
      kind: 'Arith' as const,
      expression: tokenText(t).slice(2, -2),
      redirects: [],
      start: this.start(t),
      end: this.end(t),
    }));
  });

  functionKeyword = this.RULE('functionKeyword', (): FunctionDefinition => {
    const start = this.CONSUME(Function);
    const name = this.CONSUME(Word);
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.CONSUME(RParen);
    });
    this.MANY(() => this.CONSUME(Newline));
    const body = this.SUBRULE(this.compoundCommand);
    return this.ACTION(() => ({
      kind: 'Function' as const,
      name: tokenText(name),
      body,
      redirects: [],
      start: this.start(start),
      end: body.end,
    }));
  });
}

/** Where a command ends, its trailing redirections included. */
export function commandEnd(cmd: Command): number {
  // (Reading index -1 of an empty array is a slow property lookup in V8: check the length.)
  const n = cmd.redirects.length;
  if (n === 0) return cmd.end;
  const last = cmd.redirects[n - 1]!;
  return last.end > cmd.end ? last.end : cmd.end;
}

/** `NAME=value` / `NAME+=value` as an assignment, or null (also for arguments of `export`, `local`...). */
export function assignment(w: WordNode): Assignment | null {
  const m = ASSIGNMENT.exec(w.text);
  if (m === null) return null;
  const first = w.parts[0];
  const prefix = m[0].length;
  if (first === undefined || first.kind !== 'Literal' || first.value.length < prefix) return null;
  const valueStart = w.start + prefix;
  const parts = w.parts.slice(1);
  if (first.value.length > prefix) parts.unshift({ ...first, value: first.value.slice(prefix), start: valueStart });
  const value: WordNode = { kind: 'Word', text: w.text.slice(prefix), parts, start: valueStart, end: w.end };
  return { kind: 'Assignment', name: m[1]!, append: m[2] === '+', value, start: w.start, end: w.end };
}

let grammar: ShellGrammar | undefined;

/** What `parseShell` returns. */
export interface ShellParse {
  /** The script's statements; statements of lines that failed to parse are missing (see `skipped`). */
  body: StatementList;
  /** Syntax errors, in source order. Empty when the script parsed cleanly. */
  errors: ShellSyntaxError[];
  /** Source regions not parsed because of an error. */
  skipped: Span[];
  text: string;
  /** 1-based line and column of an offset of `text`. */
  positionAt(offset: number): { line: number; column: number };
}

interface RawSkip {
  start: number;
  end: number;
}

/**
 * Parses a shell script. Never throws: problems come back in `errors`, and
 * parsing resumes at the next line after an error.
 */
export function parseShell(text: string): ShellParse {
  // Built on first use: callers that map offsets themselves never need it.
  let index: LineIndex | undefined;
  const lines = (): LineIndex => (index ??= new LineIndex(text));
  const saved = beginSession();
  const skipped: RawSkip[] = [];
  let body: StatementList = [];
  let errors: RawError[];
  try {
    grammar ??= new ShellGrammar();
    const tokens = lexScript(text);
    body = parseTokens(grammar, tokens, 0, null, text.length, skipped);
    const subs = session.substitutions;
    for (let k = 0; k < subs.length; k++) {
      const sub = subs[k]!;
      const inputEnd = sub.offsets === null ? sub.part.end - 1 : sub.part.end - 1;
      const parsed = parseTokens(grammar, sub.tokens, sub.base, sub.offsets, inputEnd, skipped);
      if (sub.offsets !== null) remap(parsed, sub.offsets);
      sub.part.body = parsed;
    }
    errors = session.errors;
  } catch (e) {
    // Only exhausted recursion (a script nested thousands deep) gets here.
    if (!(e instanceof RangeError)) throw e;
    body = [];
    errors = [{ start: 0, end: text.length, message: 'script is nested too deeply to analyse' }];
    skipped.length = 0;
    skipped.push({ start: 0, end: text.length });
    // The parser stays usable: every rule unwound through its finally, and the next parse resets the rest.
  } finally {
    restoreSession(saved);
  }
  errors.sort((a, b) => a.start - b.start);
  return {
    body,
    text,
    skipped: skipped.sort((a, b) => a.start - b.start),
    errors: errors.map((e) => ({ ...e, ...lines().positionAt(e.start) })),
    positionAt: (offset) => lines().positionAt(offset),
  };
}

/** Parses one token list; on a syntax error, records it and resumes after the next newline. */
function parseTokens(
  g: ShellGrammar,
  tokens: IToken[],
  base: number,
  offsets: Int32Array | null,
  inputEnd: number,
  skipped: RawSkip[],
): StatementList {
  const out: StatementList = [];
  let from = 0;
  for (;;) {
    g.base = base;
    g.completed = [];
    g.softErrors = [];
    g.input = from === 0 ? tokens : tokens.slice(from);
    g.script();
    out.push(...g.completed);
    const where = (t: IToken): number =>
      t.tokenType === EOF || Number.isNaN(t.startOffset) ? inputEnd : outerOffset(base + t.startOffset, offsets);
    for (const soft of g.softErrors) {
      session.errors.push({
        start: where(soft.token),
        end: where(soft.token) + Math.max(1, soft.token.image === undefined ? 1 : tokenText(soft.token).length),
        message: soft.message,
      });
    }
    const hard = g.errors[0];
    g.input = [];
    if (hard === undefined) break;
    const at = where(hard.token);
    session.errors.push({
      start: at,
      end: at + Math.max(1, hard.token.image === undefined ? 1 : tokenText(hard.token).length),
      message: hard.message,
    });
    // Resume after the first newline at or after the failing token.
    const failedAt = hard.token.tokenType === EOF ? tokens.length : tokens.indexOf(hard.token, from);
    const lastCompleted = g.completed.length > 0 ? g.completed[g.completed.length - 1] : undefined;
    const skipStart =
      lastCompleted !== undefined
        ? lastCompleted.end
        : from < tokens.length
          ? outerOffset(base + tokens[from]!.startOffset, offsets)
          : inputEnd;
    let next = failedAt < 0 ? tokens.length : failedAt;
    while (next < tokens.length && tokens[next]!.tokenType !== Newline) next++;
    const skipEnd = next < tokens.length ? outerOffset(base + tokens[next]!.startOffset, offsets) : inputEnd;
    skipped.push({ start: Math.min(skipStart, at), end: Math.max(skipEnd, at) });
    if (next >= tokens.length) break;
    from = next + 1;
  }
  return out;
}

/** Rewrites the offsets of a backquoted body (parsed from unescaped text) to outer-script offsets. */
function remap(node: unknown, offsets: Int32Array): void {
  if (Array.isArray(node)) {
    for (const n of node) remap(n, offsets);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (typeof o.start === 'number' && typeof o.end === 'number') {
    o.start = outerOffset(o.start as number, offsets);
    o.end = outerOffset(o.end as number, offsets);
  }
  for (const key of Object.keys(o)) {
    // Substitution bodies are remapped by their own queue entry.
    if (key === 'body' && (o.kind === 'CommandSubstitution' || o.kind === 'ProcessSubstitution')) continue;
    const v = o[key];
    if (v !== null && typeof v === 'object') remap(v, offsets);
  }
}

/** Builds the grammar with Chevrotain's definition checks (ambiguities, left recursion, ...); throws what they find. */
export function checkShellGrammar(): void {
  new ShellGrammar(true);
}
