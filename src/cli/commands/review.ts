import type { Command } from 'commander';
import type { ReviewCaseReads } from '../../ports/review-cases.js';
import { openReviewDesk, openReviewReader } from '../../runtime/app.js';
import { loadConfig } from '../../runtime/config.js';
import { createLogger } from '../../runtime/logger.js';

/** Reading cases needs PostgreSQL only: no broker, no registry, no migration. */
async function withCases<T>(fn: (cases: ReviewCaseReads) => Promise<T>): Promise<T> {
  const reader = await openReviewReader(loadConfig());
  try {
    return await fn(reader.cases);
  } finally {
    await reader.stop();
  }
}

export function register(program: Command): void {
  const review = program
    .command('review')
    .description('review cases for operators (ambiguous matches, guardians …)');

  review
    .command('list')
    .description('list review cases (open by default)')
    .option('--status <status>', 'open | resolved | all', 'open')
    .option('--kind <kind>', 'DEFENCE_CODE_MAPPING | CHILD_REGISTRATION | ADULT_REGISTRATION')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(
      async (o: { status: 'open' | 'resolved' | 'all'; kind?: string; limit: string; json?: boolean }) => {
        await withCases(async (cases) => {
          const rows = await cases.list({
            status: o.status,
            ...(o.kind ? { kind: o.kind } : {}),
            limit: Number(o.limit),
          });
          if (o.json) {
            process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
            return;
          }
          process.stdout.write(
            `${'case'.padEnd(18)} ${'kind'.padEnd(22)} ${'status'.padEnd(9)} ${'opened'.padEnd(20)} reasons / best candidates\n`,
          );
          for (const r of rows) {
            const best = r.candidates
              .slice(0, 3)
              .map((c) => `${c.memberId}(${c.score.toFixed(1)})`)
              .join(' ');
            process.stdout.write(
              `${r.caseId.padEnd(18)} ${r.kind.padEnd(22)} ${r.status.padEnd(9)} ${r.openedAt.toISOString().slice(0, 19).padEnd(20)} ${r.reasonCodes.join(',')} ${best}\n`,
            );
          }
          process.stdout.write(`${rows.length} case(s)\n`);
        });
      },
    );

  review
    .command('show <caseId>')
    .description('show one case with its request, candidates and evidence (JSON)')
    .action(async (caseId: string) => {
      await withCases(async (cases) => {
        const c = await cases.get(caseId);
        if (!c) throw new Error(`review case ${caseId} not found`);
        process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
      });
    });

  review
    .command('resolve <caseId>')
    .description(
      'resolve a case: the chosen member (same guarded code change and events as an auto-match) or no match',
    )
    .option('--member <memberId>', 'the HGD member the person is')
    .option('--no-match', 'the person is none of the candidates')
    .requiredOption('--by <operator>', 'who decides (recorded in the audit)')
    .option('--note <text>', 'a note for the audit')
    .action(async (caseId: string, o: { member?: string; match?: boolean; by: string; note?: string }) => {
      const noMatch = o.match === false;
      if (!o.member === !noMatch) throw new Error('give exactly one of --member <id> or --no-match');
      const config = loadConfig();
      const { desk, relay, stop } = await openReviewDesk(config, createLogger(config.cliLogLevel));
      try {
        const note = o.note ?? null;
        const after = await desk.resolve(
          caseId,
          o.member ? { kind: 'member', memberId: o.member, note } : { kind: 'no_match', note },
          { id: o.by, role: 'reviewer' },
        );
        // A running adapter's relay may hold the publisher lock: then it publishes these events itself.
        const published = await relay.drainAll();
        process.stdout.write(
          `case ${after.caseId} resolved: ${after.resolution}${after.resolutionMemberId ? ` ${after.resolutionMemberId}` : ''} by ${after.resolvedBy}; ${
            published === null
              ? 'events left to the running adapter to publish'
              : `${published} event(s) published`
          }\n`,
        );
      } finally {
        await stop();
      }
    });
}
