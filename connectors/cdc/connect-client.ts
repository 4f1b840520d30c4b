/** The Kafka Connect REST API, as much of it as the change feed uses. */
export interface ConnectorStatus {
  connector: string;
  /** RUNNING, PAUSED, STOPPED, FAILED, UNASSIGNED, RESTARTING; MISSING when Connect does not know the connector. */
  state: string;
  tasks: Array<{ id: number; state: string; workerId: string }>;
}

export class ConnectError extends Error {}

export class ConnectClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 15_000,
  ) {}

  private async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new ConnectError(`Kafka Connect at ${this.baseUrl} does not answer (${(e as Error).name})`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, json };
  }

  private async ok(method: string, path: string, body?: unknown, accept: number[] = []): Promise<unknown> {
    const r = await this.call(method, path, body);
    if (r.status >= 300 && !accept.includes(r.status)) {
      const msg = (r.json as { message?: string } | null)?.message ?? '';
      // Connect's messages name connectors and classes, never row data; cut them short anyway.
      throw new ConnectError(`Kafka Connect ${method} ${path}: HTTP ${r.status} ${msg.slice(0, 200)}`);
    }
    return r.json;
  }

  async workerVersion(): Promise<string> {
    return ((await this.ok('GET', '/')) as { version: string }).version;
  }

  async plugins(): Promise<string[]> {
    return ((await this.ok('GET', '/connector-plugins')) as Array<{ class: string }>).map((p) => p.class);
  }

  async putConfig(name: string, config: Record<string, string>): Promise<void> {
    await this.ok('PUT', `/connectors/${encodeURIComponent(name)}/config`, config);
  }

  async status(name: string): Promise<ConnectorStatus> {
    const r = await this.call('GET', `/connectors/${encodeURIComponent(name)}/status`);
    if (r.status === 404) return { connector: name, state: 'MISSING', tasks: [] };
    if (r.status >= 300) throw new ConnectError(`Kafka Connect status of ${name}: HTTP ${r.status}`);
    const j = r.json as {
      connector: { state: string };
      tasks: Array<{ id: number; state: string; worker_id: string }>;
    };
    return {
      connector: name,
      state: j.connector.state,
      tasks: j.tasks.map((t) => ({ id: t.id, state: t.state, workerId: t.worker_id })),
    };
  }

  async stop(name: string): Promise<void> {
    await this.ok('PUT', `/connectors/${encodeURIComponent(name)}/stop`);
  }

  async resume(name: string): Promise<void> {
    await this.ok('PUT', `/connectors/${encodeURIComponent(name)}/resume`);
  }

  async restart(name: string): Promise<void> {
    await this.ok(
      'POST',
      `/connectors/${encodeURIComponent(name)}/restart?includeTasks=true&onlyFailed=false`,
    );
  }

  /** Forget the connector's source offsets (only while it is STOPPED): its next start takes a new snapshot. */
  async resetOffsets(name: string): Promise<void> {
    await this.ok('DELETE', `/connectors/${encodeURIComponent(name)}/offsets`);
  }

  async remove(name: string): Promise<void> {
    await this.ok('DELETE', `/connectors/${encodeURIComponent(name)}`, undefined, [404]);
  }
}

/** Healthy when the connector and every task run. */
export function isRunning(s: ConnectorStatus): boolean {
  return s.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING');
}
