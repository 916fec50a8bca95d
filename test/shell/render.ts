/**
 * A compact, normalized rendering of the shell syntax tree for golden tests:
 * structure is explicit (every command in parentheses, compound commands
 * named), words show their parts, and substitutions show their parsed body.
 */
import type { Command, Redirect, Statement, StatementList, Word, WordPart } from '../../grammar/shell/index.js';

export function renderList(list: StatementList): string {
  return list.map(renderStatement).join('; ');
}

export function renderStatement(st: Statement): string {
  let out = '';
  st.pipelines.forEach((p, i) => {
    if (i > 0) out += ` ${st.operators[i - 1]} `;
    out += (p.timed ? 'time ' : '') + (p.negated ? '! ' : '');
    out += p.commands.map((c, j) => (j > 0 ? (p.pipeStderr[j - 1] ? ' |& ' : ' | ') : '') + renderCommand(c)).join('');
  });
  return st.background ? `${out} &` : out;
}

function redirects(c: Command): string {
  return c.redirects.map((r) => ' ' + renderRedirect(r)).join('');
}

export function renderCommand(c: Command): string {
  switch (c.kind) {
    case 'SimpleCommand':
      return `(${[...c.assignments.map((a) => `${a.append ? `${a.name}+=` : `${a.name}=`}${renderWord(a.value)}`), ...c.words.map(renderWord), ...c.redirects.map(renderRedirect)].join(' ')})`;
    case 'Subshell':
      return `subshell{${renderList(c.body)}}${redirects(c)}`;
    case 'BraceGroup':
      return `group{${renderList(c.body)}}${redirects(c)}`;
    case 'If':
      return (
        c.branches
          .map((b, i) => `${i === 0 ? 'if' : 'elif'}{${renderList(b.condition)}}then{${renderList(b.body)}}`)
          .join('') +
        (c.elseBody ? `else{${renderList(c.elseBody)}}` : '') +
        redirects(c)
      );
    case 'For':
      return `${c.select ? 'select' : 'for'} ${c.variable.text}${c.items ? ` in [${c.items.map(renderWord).join(' ')}]` : ''}{${renderList(c.body)}}${redirects(c)}`;
    case 'ArithFor':
      return `for((${c.expression})){${renderList(c.body)}}${redirects(c)}`;
    case 'While':
      return `${c.until ? 'until' : 'while'}{${renderList(c.condition)}}do{${renderList(c.body)}}${redirects(c)}`;
    case 'Case':
      return `case ${renderWord(c.subject)}{${c.items.map((i) => `${i.patterns.map(renderWord).join('|')})${renderList(i.body)}${i.terminator}`).join(' ')}}${redirects(c)}`;
    case 'Function':
      return `function ${c.name} ${renderCommand(c.body)}`;
    case 'Test':
      return `[[${c.words.map((w) => ' ' + renderWord(w)).join('')} ]]${redirects(c)}`;
    case 'Arith':
      return `((${c.expression}))${redirects(c)}`;
  }
}

export function renderRedirect(r: Redirect): string {
  const head = `${r.fd ?? ''}${r.op}${renderWord(r.target)}`;
  if (!r.heredoc) return head;
  return `${head}<<${r.heredoc.quoted ? 'quoted ' : ''}${JSON.stringify(r.heredoc.content.parts.map(renderPart).join(''))}${r.heredoc.terminated ? '' : ' unterminated'}>>`;
}

export function renderWord(w: Word): string {
  return w.parts.map(renderPart).join('');
}

export function renderPart(p: WordPart): string {
  switch (p.kind) {
    case 'Literal':
      return p.value + (p.glob ? '<glob>' : '') + (p.brace ? '<brace>' : '');
    case 'SingleQuoted':
      return `${p.ansiC ? '$' : ''}'${p.value}'`;
    case 'DoubleQuoted':
      return `"${p.parts.map(renderPart).join('')}"`;
    case 'Tilde':
      return `~${p.user}<tilde>`;
    case 'Parameter': {
      let inner =
        (p.length ? '#' : '') +
        (p.indirect ? '!' : '') +
        p.name +
        (p.subscript !== undefined ? `[${p.subscript}]` : '');
      if (p.operator)
        inner +=
          p.operator +
          (p.operand ? renderWord(p.operand) : '') +
          (p.replacement ? `/${renderWord(p.replacement)}` : '');
      return `\${${inner}}`;
    }
    case 'CommandSubstitution':
      // $[...] rather than $(...), so that a parsed body does not read as arithmetic.
      return `${p.backquoted ? '`' : '$['}${renderList(p.body)}${p.backquoted ? '`' : ']'}`;
    case 'Arithmetic':
      return `$((${p.expression}))`;
    case 'ProcessSubstitution':
      return `${p.direction}[${renderList(p.body)}]`;
  }
}
