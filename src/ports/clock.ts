/** The current time; injected so that flows and the review desk are deterministic in tests. */
export type Clock = () => Date;
