/**
 * `attune skills`: the learned skills of a user and how often each was used.
 * @module
 */
import type { Command } from 'commander';
import { skillToJson } from '../../model/skill.js';
import {
  action,
  addGlobalOptions,
  type GlobalOptions,
  openCliEnv,
  printJson,
  printText,
} from '../shared.js';

/** Registers `attune skills`. */
export function registerSkillsCommand(program: Command): void {
  addGlobalOptions(
    program
      .command('skills')
      .description('List learned skills (patterns aggregated by topic) with their usage')
      .option('--refresh', 'rebuild the aggregated skills from the stored patterns first'),
  )
    .addHelpText('after', '\nExamples:\n  attune skills\n  attune skills --refresh --json')
    .action(
      action(async (options: GlobalOptions & { refresh?: boolean }) => {
        const env = openCliEnv(options);
        try {
          if (options.refresh) await env.storage.refreshSkills(env.userId);
          const skills = (await env.storage.getAllSkills(env.userId)).sort(
            (a, b) => b.usageCount - a.usageCount || a.name.localeCompare(b.name),
          );
          if (options.json) {
            printJson(skills.map(skillToJson));
          } else if (skills.length === 0) {
            printText('No skills yet: a topic becomes a skill once three patterns share it.');
          } else {
            printText(
              skills
                .map(
                  (s) =>
                    `  ${s.skillId}  ${s.name}  (${s.patterns.length} patterns, confidence ${s.confidence.toFixed(2)}, used ${s.usageCount}x${s.lastUsed ? `, last ${s.lastUsed.toISOString()}` : ''})`,
                )
                .join('\n'),
            );
          }
        } finally {
          await env.storage.close();
        }
        return 0;
      }),
    );
}
