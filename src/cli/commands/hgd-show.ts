import type { Command } from 'commander';
import { runtimeDb } from '../../runtime/connections.js';
import { getMember, listHouseholdMembers } from '../../../connectors/hgd/repository.js';
import { currentProvinceCode } from '../../matching/province.js';
import { loadConfig } from '../../runtime/config.js';

/** `vss-bridge hgd show <member>`: one HGD member and their household, for the terminal. */
export function register(program: Command): void {
  const hgd =
    program.commands.find((c) => c.name() === 'hgd') ??
    program.command('hgd').description('HGD household data');
  hgd
    .command('show <memberId>')
    .description("show one HGD member's record and their household")
    .option('--json', 'print JSON')
    .action(async (memberId: string, o: { json?: boolean }) => {
      const config = loadConfig();
      const knex = runtimeDb(config, { poolMax: 1 });
      try {
        const m = await getMember(knex, memberId);
        if (!m) throw new Error(`member ${memberId} not found in HGD`);
        const household = m.householdCode ? await listHouseholdMembers(knex, m.householdCode) : [];
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ member: m, household }, null, 2)}\n`);
          return;
        }
        const row = (k: string, v: string | null | undefined) =>
          process.stdout.write(`${k.padEnd(18)} ${v ?? '—'}\n`);
        row('member', m.memberId);
        row('full name', m.fullName);
        row('date of birth', m.dob ? `${m.dob} (${m.dobPrecision ?? '?'})` : null);
        row('gender', m.gender);
        row('ID number', m.idNumber);
        row('BHXH code', m.bhxhCode);
        row('household', m.householdCode);
        row('relation to head', m.relationToHead);
        row('father', m.fatherName);
        row('mother', m.motherName);
        const p2025 = currentProvinceCode(m.provinceCode);
        row(
          'province',
          m.provinceCode && p2025 && p2025 !== m.provinceCode
            ? `${m.provinceCode} (2025: ${p2025})`
            : m.provinceCode,
        );
        row('ward', m.wardCode);
        if (household.length > 0) {
          process.stdout.write(`\nhousehold ${m.householdCode} (${household.length} member(s)):\n`);
          for (const h of household)
            process.stdout.write(
              `  ${h.memberId.padEnd(14)} ${(h.relationToHead ?? '').padEnd(10)} ${h.fullName} ${h.dob ?? ''} ${h.bhxhCode ?? ''}\n`,
            );
        }
      } finally {
        await knex.destroy();
      }
    });
}
