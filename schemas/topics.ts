/** Topic names. Retry and DLQ names derive from the main topic so one setting (`TOPIC_WEBHOOKS`) moves all of them. */
export const DEFAULT_WEBHOOKS_TOPIC = 'fluent.webhooks';

export interface TopicNames {
  /** Main topic, keyed by order ref. */
  readonly webhooks: string;
  /** Retry tier topics, index 0 = first retry (`<main>.retry.1`). */
  readonly retries: readonly string[];
  /** Dead-letter topic. */
  readonly dlq: string;
}

export function retryTopicName(mainTopic: string, tier: number): string {
  return `${mainTopic}.retry.${tier}`;
}

export function dlqTopicName(mainTopic: string): string {
  return `${mainTopic}.dlq`;
}

export function topicNames(mainTopic: string = DEFAULT_WEBHOOKS_TOPIC, retryTiers = 3): TopicNames {
  return {
    webhooks: mainTopic,
    retries: Array.from({ length: retryTiers }, (_, i) => retryTopicName(mainTopic, i + 1)),
    dlq: dlqTopicName(mainTopic),
  };
}

/** Confluent subject naming (TopicNameStrategy). Retry and DLQ records carry the main topic's bytes unchanged. */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}
