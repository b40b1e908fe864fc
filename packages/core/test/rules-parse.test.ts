import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Rules, loadStandardRules, STANDARD_RULES_PATH, STANDARD_RULESETS, RuleError } from '../src/rules';

/** Runs `fn`, expecting a DevfsError; returns it. */
function thrown(fn: () => unknown): RuleError {
  try {
    fn();
  } catch (err) {
    return err as RuleError;
  }
  throw new Error('expected an error');
}

/** Everything observable about a registry, to prove a failed call changed nothing. */
function snapshot(r: Rules): unknown {
  return r.list().map((n) => [n, r.name(n), r.version(n), r.show(n)]);
}

describe('the shipped standard rulesets', () => {
  test('the file ships inside the package and defines rulesets 1..5 by name', () => {
    expect(STANDARD_RULES_PATH).toBe(path.resolve(__dirname, '..', 'rules', 'devfs.rules'));
    const r = new Rules();
    loadStandardRules(r);
    expect(r.list()).toEqual([1, 2, 3, 4, 5]);
    for (const [name, n] of Object.entries(STANDARD_RULESETS)) {
      expect(r.resolve(name)).toBe(n);
      expect(r.resolve('$' + name)).toBe(n);
      expect(r.name(n)).toBe(name);
    }
    expect(r.show(1)).toEqual(['100 hide']);
    expect(r.show(2)).toEqual(['100 path null unhide', '200 path zero unhide', '300 path crypto unhide',
      '400 path random unhide', '500 path urandom unhide']);
    expect(r.show(3).slice(0, 8)).toEqual(['100 path ptmx unhide', '200 path pts unhide', '300 path pts/* unhide',
      '400 path fd unhide', '500 path fd/* unhide', '600 path stdin unhide', '700 path stdout unhide', '800 path stderr unhide']);
    expect(r.show(3)).toContain('900 path ptyp* unhide');
    expect(r.show(3)).toContain('2400 path ttyS* unhide');
    expect(r.show(4)).toEqual(['100 include 1', '200 include 2', '300 include 3', '400 path fuse unhide', '500 path zfs unhide']);
    expect(r.show(5)).toEqual(['100 include 1', '200 include 2', '300 include 3', '400 include 4', '500 path pf unhide']);
  });

  test('every shipped ruleset round-trips through show → add → show', () => {
    const a = new Rules();
    loadStandardRules(a);
    const b = new Rules();
    for (const n of a.list()) {
      for (const line of a.show(n)) b.add(n, line);
    }
    for (const n of a.list()) expect(b.show(n)).toEqual(a.show(n));
  });

  test('show output loads back as a devfs.rules file', () => {
    const a = new Rules();
    loadStandardRules(a);
    const text = a.list().map((n) => `[${a.name(n)}=${n}]\n` + a.show(n).map((l) => `add ${l}\n`).join('')).join('\n');
    const b = new Rules();
    b.load(text, 'shown.rules');
    for (const n of a.list()) expect(b.show(n)).toEqual(a.show(n));
  });

  test('loading the file twice gives the same rulesets (a section empties its ruleset first)', () => {
    const r = new Rules();
    loadStandardRules(r);
    const first = r.list().map((n) => r.show(n));
    loadStandardRules(r);
    expect(r.list().map((n) => r.show(n))).toEqual(first);
  });
});

describe('rule syntax', () => {
  test('sections, comments, blank lines, explicit and automatic numbers', () => {
    const r = new Rules();
    r.load([
      '# a comment',
      '',
      '[first=10]   # trailing comment',
      'add path a hide',
      '  add 150 path b hide   # comment after a rule',
      'add path c hide',
      '\tadd 120 path d unhide',
    ].join('\n'), 'x.rules');
    expect(r.show(10)).toEqual(['100 path a hide', '120 path d unhide', '150 path b hide', '250 path c hide']);
    expect(r.resolve('first')).toBe(10);
  });

  test('add returns the rule number: first 100, then last + 100', () => {
    const r = new Rules();
    expect(r.add(7, 'path x hide')).toBe(100);
    expect(r.add(7, 'path y hide')).toBe(200);
    expect(r.add(7, '50 path z hide')).toBe(50);
    expect(r.add(7, 'path w hide')).toBe(300);
    expect(r.add(7, 'add 1000 hide')).toBe(1000); // a leading 'add' is accepted
    expect(r.show(7).map((l) => l.split(' ')[0])).toEqual(['50', '100', '200', '300', '1000']);
  });

  test('quoting: single and double quotes, backslashes, $name inside double quotes only', () => {
    const r = new Rules();
    r.load('[base=3]\nadd hide\n[t=9]\n' + [
      `add path 'a b' hide`,
      `add path "c d" hide`,
      `add path e\\ f hide`,
      `add path '$base' hide`,
      `add path "x$base" hide`,
      `add path "q\\"q" hide`,
      `add path 'it'\\''s' hide`,
      `add path 'h#sh' hide`,
      `add path \\\\* hide`,
      `add include $base`,
      `add include \${base}`,
    ].join('\n'));
    expect(r.show(9)).toEqual([
      "100 path 'a b' hide",
      "200 path 'c d' hide",
      "300 path 'e f' hide",
      "400 path '$base' hide",
      '500 path x3 hide',
      `600 path 'q"q' hide`,
      `700 path 'it'\\''s' hide`,
      "800 path 'h#sh' hide",
      "900 path '\\*' hide",
      '1000 include 3',
      '1100 include 3',
    ]);
    // Each line reads back to the same rule.
    const again = new Rules();
    again.load('[base=3]\nadd hide');
    for (const line of r.show(9)) again.add(9, line);
    expect(again.show(9)).toEqual(r.show(9));
  });

  test('conditions and actions print in canonical order (types, path, hide, unhide, user, group, mode, include)', () => {
    const r = new Rules();
    r.add(1, 'hide');
    r.add(2, '5 type tty type disk path "pts/*" include 1 mode 0620 group 5 user 0 unhide hide');
    const [line] = r.show(2);
    expect(line).toMatch(/^5 type disk type tty path pts\/\* hide unhide user \S+ group \S+ mode 620 include 1$/);
    const b = new Rules();
    b.add(1, 'hide');
    b.add(2, line);
    expect(b.show(2)).toEqual([line]);
  });

  test('a rule with no conditions and no actions is accepted (it matches everything, does nothing)', () => {
    const r = new Rules();
    expect(r.add(4, '300')).toBe(300);
    expect(r.show(4)).toEqual(['300']);
  });

  test('the last path condition wins, as in devfs(8)', () => {
    const r = new Rules();
    r.add(4, 'path a path b hide');
    expect(r.show(4)).toEqual(['100 path b hide']);
  });
});

describe('users and groups', () => {
  let dir: string;
  let passwd: string;
  let group: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devfs-rules-'));
    passwd = path.join(dir, 'passwd');
    group = path.join(dir, 'group');
    fs.writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/sh\n# comment\nalice:x:1001:1001::/home/alice:/bin/sh\nbroken line\n');
    fs.writeFileSync(group, 'wheel:x:0:\ntty:x:5:\noperator:x:6:alice\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('names resolve from the passwd/group files and print back by name; unknown ids print as numbers', () => {
    const r = new Rules({ passwdFile: passwd, groupFile: group });
    r.add(2, 'path pts/* user alice group tty mode 620');
    r.add(2, 'path md* user 4242 group 77');
    expect(r.show(2)).toEqual(['100 path pts/* user alice group tty mode 620', '200 path md* user 4242 group 77']);
    const a = { hidden: false, uid: 0, gid: 0, mode: 0o600 };
    r.evaluate(2, { path: 'pts/1', kind: 'dev', dflags: 0 }, a);
    expect(a).toEqual({ hidden: false, uid: 1001, gid: 5, mode: 0o620 });
  });

  test('a changed passwd file is re-read', () => {
    const r = new Rules({ passwdFile: passwd, groupFile: group });
    expect(thrown(() => r.add(2, 'user bob')).code).toBe('EINVAL');
    fs.appendFileSync(passwd, 'bob:x:1002:1002::/home/bob:/bin/sh\n');
    r.add(2, 'user bob');
    expect(r.show(2)).toEqual(['100 user bob']);
  });

  test('unknown names are an EINVAL naming the position and the name', () => {
    const r = new Rules({ passwdFile: passwd, groupFile: group });
    const e = thrown(() => r.load('[s=2]\nadd path x user mallory', 'u.rules'));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain("u.rules:2:17: unknown user 'mallory'");
    const g = thrown(() => r.add(2, 'group nogroup'));
    expect(g.code).toBe('EINVAL');
    expect(g.message).toContain("<add>:1:7: unknown group 'nogroup'");
  });

  test('the host /etc/passwd is the default', () => {
    const r = new Rules();
    r.add(3, 'user root group 0');
    const a = { hidden: false, uid: 9, gid: 9, mode: 0 };
    r.evaluate(3, { path: 'x', kind: 'dev', dflags: 0 }, a);
    expect([a.uid, a.gid]).toEqual([0, 0]);
  });
});

describe('errors name source:line:column and the token, and change nothing', () => {
  const cases: [string, string, string, number, number, string | undefined][] = [
    // [what, text, code, line, column, token]
    ['unknown action', '[s=2]\nadd path x hide frob', 'EINVAL', 2, 17, 'frob'],
    ['missing argument', '[s=2]\nadd path', 'EINVAL', 2, 9, 'path'],
    ['bad type', '[s=2]\nadd type floppy hide', 'EINVAL', 2, 10, 'floppy'],
    ['bad mode', '[s=2]\nadd path x mode 0999', 'EINVAL', 2, 17, '0999'],
    ['mode too large', '[s=2]\nadd path x mode 17777', 'EINVAL', 2, 17, '17777'],
    ['condition after action', '[s=2]\nadd hide path x', 'EINVAL', 2, 10, 'path'],
    ['bad include', '[s=2]\nadd include jail', 'EINVAL', 2, 13, 'jail'],
    ['rule number too big', '[s=2]\nadd 70000 hide', 'EINVAL', 2, 5, '70000'],
    ['unterminated quote', "[s=2]\nadd path 'pts/* hide", 'EINVAL', 2, 10, "'pts/* hide"],
    ['unknown $name', '[s=2]\nadd include $nosuch', 'EINVAL', 2, 13, '$nosuch'],
    ['bad section', '[s=2]\n  [bad name=3]', 'EINVAL', 2, 3, '[bad name=3]'],
    ['unknown command', '[s=2]\ndel 100', 'EINVAL', 2, 1, 'del'],
    ['rule outside a section', '# x\nadd hide', 'EINVAL', 2, 1, 'add'],
    ['ruleset 0', '[zero=0]\nadd hide', 'EIO', 2, 5, undefined],
    ['missing include', '[s=2]\nadd hide\nadd include 42', 'ESRCH', 3, 13, '42'],
    ['duplicate number', '[s=2]\nadd 100 hide\nadd 100 unhide', 'EEXIST', 3, 5, '100'],
    ['include cycle', '[a=2]\nadd hide\n[b=3]\nadd include 2\n[c=4]\nadd include 3\n[a=2]\nadd include 4', 'ELOOP', 8, 13, '4'],
    ['self include', '[a=2]\nadd hide\nadd include 2', 'ELOOP', 3, 13, '2'],
    ['automatic number overflow', '[a=2]\nadd 65500 hide\nadd unhide', 'ERANGE', 3, 5, undefined],
  ];

  test.each(cases)('%s', (_what, text, code, line, column, token) => {
    const r = new Rules();
    loadStandardRules(r);
    const before = snapshot(r);
    const calls: number[][] = [];
    r.onChange((c) => calls.push(c));
    const e = thrown(() => r.load(text, 'bad.rules'));
    expect(e.code).toBe(code);
    expect(e.errno).toBeLessThan(0);
    expect(e.syscall).toBe('rules.load');
    expect([e.source, e.line, e.column, e.token]).toEqual(['bad.rules', line, column, token]);
    expect(e.message).toContain(`bad.rules:${line}:${column}: `);
    if (token !== undefined) expect(e.message).toContain(`'${token}'`);
    expect(snapshot(r)).toEqual(before);
    expect(calls).toEqual([]);
  });

  test('a failed load of a long file changes nothing: not earlier sections, not names', () => {
    const r = new Rules();
    loadStandardRules(r);
    const before = snapshot(r);
    const text = fs.readFileSync(STANDARD_RULES_PATH, 'utf8')
      .replace('add path zero unhide', 'add path zero unhide mode 666') // modifies ruleset 2...
      + '\n[extra=7]\nadd include $devfsrules_jail\nadd path tap* unhide\n[later=8]\nadd path x hide\nadd path y bogus\n';
    const e = thrown(() => r.load(text, 'long.rules'));
    expect(e.code).toBe('EINVAL');
    expect([e.line, e.token]).toEqual([text.split('\n').indexOf('add path y bogus') + 1, 'bogus']);
    expect(snapshot(r)).toEqual(before);
    expect(() => r.resolve('extra')).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(r.has(7)).toBe(false);
  });

  test('add: EIO for ruleset 0, ESRCH for a missing include, EEXIST for a used number; nothing changes', () => {
    const r = new Rules();
    loadStandardRules(r);
    const before = snapshot(r);
    const eio = thrown(() => r.add(0, 'path x hide'));
    expect([eio.code, eio.syscall, eio.line, eio.column]).toEqual(['EIO', 'rules.add', 1, 1]);
    const esrch = thrown(() => r.add(6, 'path x include 99'));
    expect([esrch.code, esrch.column, esrch.token]).toEqual(['ESRCH', 16, '99']);
    const eexist = thrown(() => r.add(4, '100 path x hide'));
    expect([eexist.code, eexist.column, eexist.token]).toEqual(['EEXIST', 1, '100']);
    const eloop = thrown(() => r.add(1, 'include 4'));
    expect(eloop.code).toBe('ELOOP');
    expect(snapshot(r)).toEqual(before);
    expect(r.has(6)).toBe(false);
  });

  test('del: ENOENT for a missing rule; delset of a missing ruleset is no error', () => {
    const r = new Rules();
    loadStandardRules(r);
    const e = thrown(() => r.del(2, 150));
    expect([e.code, e.syscall]).toEqual(['ENOENT', 'rules.del']);
    expect(e.message).toContain('no rule 150 in ruleset 2');
    expect(thrown(() => r.del(0, 100)).code).toBe('ENOENT');
    r.delset(77);
    r.del(2, 100);
    expect(r.show(2)[0]).toBe('200 path zero unhide');
  });

  test('resolve: numbers, strings, $names, names; EINVAL out of range; ESRCH unknown name', () => {
    const r = new Rules();
    loadStandardRules(r);
    expect(r.resolve(4)).toBe(4);
    expect(r.resolve('4')).toBe(4);
    expect(r.resolve('$devfsrules_jail')).toBe(4);
    expect(r.resolve('${devfsrules_jail}')).toBe(4);
    expect(r.resolve('devfsrules_jail')).toBe(4);
    expect(r.resolve(9)).toBe(9); // a number need not exist
    expect(thrown(() => r.resolve(65536)).code).toBe('EINVAL');
    expect(thrown(() => r.resolve(-1)).code).toBe('EINVAL');
    expect(thrown(() => r.resolve(1.5)).code).toBe('EINVAL');
    expect(thrown(() => r.resolve('nosuch')).code).toBe('ESRCH');
    expect(thrown(() => r.show('nosuch')).code).toBe('ESRCH');
  });
});
