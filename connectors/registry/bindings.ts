/**
 * Which record each topic carries (docs/contracts.md). Subjects follow TopicNameStrategy: `<topic>-value`.
 * Keys are plain UTF-8 strings, so there are no key subjects.
 */
import type { SchemaName } from '../../src/contracts/generated.js';
import type { Config, TopicNames } from '../../src/runtime/config.js';

export interface TopicBinding {
  topic: string;
  schema: SchemaName;
  /**
   * `input`: written by an upstream team, read by us with our reader schema: the subject is theirs, we never
   * register on it. `output` (the default): written by us, the subject is ours.
   */
  role?: 'input' | 'output';
}

/** Compatibility levels accepted on the subjects we read (upstream's new writers must stay readable by us). */
export const INPUT_COMPATIBILITY = ['FORWARD_TRANSITIVE', 'FULL_TRANSITIVE'] as const;
/** Compatibility levels accepted on the subjects we write (downstream readers may lag behind us). */
export const OUTPUT_COMPATIBILITY = ['BACKWARD_TRANSITIVE', 'FULL_TRANSITIVE'] as const;
/** What `schemas register` sets on our subjects, and what the local stack's stand-in upstream sets on theirs. */
export const OUTPUT_LEVEL = 'BACKWARD_TRANSITIVE';
export const INPUT_LEVEL = 'FORWARD_TRANSITIVE';

export function isInput(b: TopicBinding): boolean {
  return b.role === 'input';
}

const TOPIC_SCHEMAS: Record<keyof TopicNames, SchemaName> = {
  childRegistrationSubmitted: 'ChildRegistrationSubmitted',
  adultRegistrationSubmitted: 'AdultRegistrationSubmitted',
  codeLookupFailed: 'CodeLookupFailed',
  registrationDecided: 'RegistrationDecision',
  defenceCodeMappingDecided: 'CodeMapping',
  vssidCodeMappingDecided: 'CodeMapping',
  reviewCaseChanged: 'ReviewCase',
};

/** The topics we consume; each has a dead-letter topic `<topic>.dlq`. */
export const INPUT_TOPICS: readonly (keyof TopicNames)[] = [
  'childRegistrationSubmitted',
  'adultRegistrationSubmitted',
  'codeLookupFailed',
];

export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** The seven topics of the configuration with their records and roles, then the three dead-letter topics (ours). */
export function topicBindings(config: Pick<Config, 'topics'>): TopicBinding[] {
  const out: TopicBinding[] = (Object.keys(TOPIC_SCHEMAS) as (keyof TopicNames)[]).map((key) => ({
    topic: config.topics[key],
    schema: TOPIC_SCHEMAS[key],
    role: INPUT_TOPICS.includes(key) ? 'input' : 'output',
  }));
  for (const key of INPUT_TOPICS) {
    out.push({ topic: dlqTopic(config.topics[key]), schema: 'DeadLetter', role: 'output' });
  }
  return out;
}
