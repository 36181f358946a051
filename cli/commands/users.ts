// `switchboard users`: people who sign in to the console (at /ui). `create` reads the password
// from standard input (never from the command line, where other users' `ps` would see it), or
// generates one and prints it once; `list`, `set-password`, `set-role`, `disable`, `enable` and
// `delete` manage them. Changing a password or disabling a user ends their sessions.
import { randomBytes } from 'node:crypto';
import type { Command, CliIO } from '../command';
import { SwitchboardError } from '../../core/errors';
import { openDatabase, resolveDatabaseTarget } from '../../core/store/db';
import { migrate } from '../../core/store/migrate';
import * as userSessions from '../../core/store/tables/user-sessions';
import * as users from '../../core/store/tables/users';
import { ROLE_SCOPES } from '../../server/auth/roles';

const ACTIONS = ['create', 'list', 'set-password', 'set-role', 'disable', 'enable', 'delete'] as const;
type Action = (typeof ACTIONS)[number];

async function readStdin(io: CliIO): Promise<string> {
  const input = io.stdin ?? process.stdin;
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** The password from stdin (`--password-stdin`), or a generated one to print once. */
async function passwordOf(values: Record<string, unknown>, io: CliIO): Promise<{ password: string; generated: boolean }> {
  if (values['password-stdin'] === true) return { password: await readStdin(io), generated: false };
  return { password: randomBytes(18).toString('base64url'), generated: true };
}

function roleOf(value: unknown, fallback?: users.UserRole): users.UserRole {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!users.isUserRole(value)) throw new SwitchboardError('SB_CONFIG_INVALID', `--role must be ${users.USER_ROLES.join(' or ')}`);
  return value;
}

function printList(io: CliIO, list: readonly users.User[]): void {
  if (list.length === 0) {
    io.stdout.write('no users: make the first admin with `switchboard users create --username NAME --role admin`\n');
    return;
  }
  for (const u of list) {
    const state = u.disabledAt !== null ? `disabled ${u.disabledAt}` : u.lockedUntil !== null && u.lockedUntil > new Date().toISOString() ? `locked until ${u.lockedUntil}` : 'enabled';
    io.stdout.write(`${u.username}  ${u.role}  ${state}  last sign-in ${u.lastLoginAt ?? 'never'}\n`);
  }
}

export const usersCommand: Command = {
  name: 'users',
  summary: 'create and manage the people who sign in to the console (/ui)',
  usage: `Usage: switchboard users create --username NAME [--role admin|viewer] [--password-stdin] [--json]
       switchboard users list [--json]
       switchboard users set-password NAME [--password-stdin]
       switchboard users set-role NAME --role admin|viewer
       switchboard users disable NAME | enable NAME | delete NAME

create        makes a user (role admin by default); without --password-stdin a password is
              generated and printed once
set-password  changes the password (same rule) and ends the user's sessions
disable       the user cannot sign in, and their sessions end at once

Roles:
  admin    ${ROLE_SCOPES.admin.join(' ')}
  viewer   ${ROLE_SCOPES.viewer.join(' ')}

Passwords have at least ${users.MIN_PASSWORD_LENGTH} characters; at most 72 bytes; they are stored as bcrypt hashes.
${users.DEFAULT_LOCKOUT.maxFailedAttempts} failed sign-ins in a row lock a user for ${users.DEFAULT_LOCKOUT.lockMs / 60_000} minutes (set-password unlocks).

Options:
  --username NAME      letters, digits, ".", "_", "@", "-"
  --role ROLE          admin or viewer
  --password-stdin     read the password from standard input (e.g. printf '%s' "$PW" | ...)
  --json               print JSON`,
  options: { username: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' }, json: { type: 'boolean' } },
  async run({ positionals, values, global, io, config }) {
    const action = positionals[0] as Action | undefined;
    if (action === undefined || !ACTIONS.includes(action)) {
      throw new SwitchboardError('SB_CONFIG_INVALID', `expected one of ${ACTIONS.join(', ')}, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
    }
    const json = values['json'] === true;
    const knex = openDatabase(resolveDatabaseTarget(global.db ?? config.databaseUrl, io.cwd), { debug: config.debug });
    try {
      await migrate(knex);
      if (action === 'list') {
        const list = await users.list(knex);
        if (json) io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        else printList(io, list);
        return 0;
      }
      if (action === 'create') {
        const username = values['username'];
        if (typeof username !== 'string' || username === '') throw new SwitchboardError('SB_CONFIG_INVALID', '--username is required');
        const { password, generated } = await passwordOf(values, io);
        const user = await users.create(knex, { username, password, role: roleOf(values['role'], 'admin') });
        if (json) io.stdout.write(`${JSON.stringify({ username: user.username, role: user.role, ...(generated ? { password } : {}) }, null, 2)}\n`);
        else io.stdout.write(`user created: ${user.username} (${user.role})\n${generated ? `  password: ${password}\n  It is shown only now; sign in at http://<server>/ui and keep it safe.\n` : ''}`);
        return 0;
      }
      const name = positionals[1];
      if (name === undefined) throw new SwitchboardError('SB_CONFIG_INVALID', `users ${action} needs the user's NAME`);
      const user = await users.get(knex, name);
      if (action === 'delete') {
        await users.remove(knex, user.id);
        io.stdout.write(`deleted ${user.username}\n`);
        return 0;
      }
      if (action === 'set-password') {
        const { password, generated } = await passwordOf(values, io);
        await users.update(knex, user.id, { password });
        await userSessions.removeForUser(knex, user.id);
        io.stdout.write(`password changed for ${user.username}${generated ? `: ${password}` : ''}\n`);
        return 0;
      }
      if (action === 'set-role') {
        const updated = await users.update(knex, user.id, { role: roleOf(values['role']) });
        await userSessions.removeForUser(knex, user.id);
        io.stdout.write(`${updated.username} is now ${updated.role}\n`);
        return 0;
      }
      await users.update(knex, user.id, { disabled: action === 'disable' });
      if (action === 'disable') await userSessions.removeForUser(knex, user.id);
      io.stdout.write(`${action}d ${user.username}\n`);
      return 0;
    } finally {
      await knex.destroy();
    }
  },
};
