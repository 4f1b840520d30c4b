/**
 * Which record each topic carries (DESIGN.md "Topics"). Subjects follow TopicNameStrategy: `<topic>-value`.
 * Keys are plain UTF-8 strings, so there are no key subjects.
 */
import type { SchemaName } from '../../src/contracts/generated.js';
import type { Config, TopicNames } from '../../src/runtime/config.js';

export interface TopicBinding {
  topic: string;
  schema: SchemaName;
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

/** The seven topics of the configuration with their records, then the three dead-letter topics. */
export function topicBindings(config: Pick<Config, 'topics'>): TopicBinding[] {
  const out: TopicBinding[] = (Object.keys(TOPIC_SCHEMAS) as (keyof TopicNames)[]).map((key) => ({
    topic: config.topics[key],
    schema: TOPIC_SCHEMAS[key],
  }));
  for (const key of INPUT_TOPICS) out.push({ topic: dlqTopic(config.topics[key]), schema: 'DeadLetter' });
  return out;
}
