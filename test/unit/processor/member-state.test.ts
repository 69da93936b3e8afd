import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { followConsumer, MemberState } from '../../../processor/member-state.js';

describe('MemberState', () => {
  it('is ready only while it is a group member', () => {
    const state = new MemberState();
    expect(state.notReadyReason()).toMatch(/not a consumer-group member/);
    state.joinedGroup();
    expect(state.notReadyReason()).toBeUndefined();
    state.leftGroup();
    expect(state.notReadyReason()).toMatch(/rebalancing/);
    expect(state.alive()).toBe(true);
  });

  it('names a fatal reason on readiness and ends liveness; the first reason wins', () => {
    const state = new MemberState();
    state.joinedGroup();
    state.failed('cannot write to orders.dlq: TOPIC_AUTHORIZATION_FAILED');
    state.failed('a later reason');
    expect(state.notReadyReason()).toBe('cannot write to orders.dlq: TOPIC_AUTHORIZATION_FAILED');
    expect(state.fatal).toBe('cannot write to orders.dlq: TOPIC_AUTHORIZATION_FAILED');
    expect(state.alive()).toBe(false);
  });

  it("reports the runner's own reason while the member is otherwise ready", () => {
    const state = new MemberState();
    state.joinedGroup();
    expect(state.notReadyReason('retry/DLQ produce failing')).toBe('retry/DLQ produce failing');
  });

  it('is neither ready nor alive once stopped or crashed for good', () => {
    const stopped = new MemberState();
    stopped.joinedGroup();
    stopped.stopped();
    expect([stopped.notReadyReason(), stopped.alive()]).toEqual(['stopping', false]);
    const crashed = new MemberState();
    crashed.joinedGroup();
    crashed.crashed();
    expect([crashed.notReadyReason(), crashed.alive()]).toEqual(['consumer crashed', false]);
  });
});

describe('followConsumer', () => {
  const EVENTS = {
    GROUP_JOIN: 'group_join',
    REBALANCING: 'rebalancing',
    CRASH: 'crash',
    HEARTBEAT: 'heartbeat',
    FETCH_START: 'fetch_start',
    END_BATCH_PROCESS: 'end_batch_process',
  };

  function follow(state = new MemberState()) {
    const bus = new EventEmitter();
    const consumer = { events: EVENTS, on: (name: string, fn: (e: unknown) => void) => bus.on(name, fn) };
    const runner = { resetDelays: vi.fn(), forgetPartitions: vi.fn() };
    const events = new EventEmitter();
    followConsumer(consumer as unknown as Consumer, { state, runner, logger: pino({ level: 'silent' }), events });
    return { bus, runner, state, events };
  }

  it('on joining: ready, delay timers reset, lag series of partitions no longer held forgotten', () => {
    const { bus, runner, state, events } = follow();
    const ready = vi.fn();
    events.on('ready', ready);
    const memberAssignment = { orders: [0, 2] };
    bus.emit(EVENTS.GROUP_JOIN, { payload: { groupId: 'g', memberId: 'm', memberAssignment } });
    expect(state.notReadyReason()).toBeUndefined();
    expect(runner.resetDelays).toHaveBeenCalledTimes(1);
    expect(runner.forgetPartitions).toHaveBeenCalledWith(memberAssignment);
    expect(ready).toHaveBeenCalledTimes(1);
  });

  it('on a crash: delay timers reset (a restarted consumer has fresh pause state); alive only while KafkaJS restarts', () => {
    const { bus, runner, state, events } = follow();
    const crashes: unknown[] = [];
    events.on('crash', (error: unknown) => crashes.push(error));
    bus.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: {} } });
    bus.emit(EVENTS.CRASH, { payload: { error: new Error('connection lost'), restart: true } });
    expect(runner.resetDelays).toHaveBeenCalledTimes(2);
    expect([state.notReadyReason(), state.alive()]).toEqual([expect.stringMatching(/rebalancing/), true]);
    bus.emit(EVENTS.CRASH, { payload: { error: new Error('gave up'), restart: false } });
    expect([state.notReadyReason(), state.alive()]).toEqual(['consumer crashed', false]);
    expect(crashes).toHaveLength(2);
  });

  it('a rebalance makes the member not ready until it joins again', () => {
    const { bus, state } = follow();
    bus.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: {} } });
    bus.emit(EVENTS.REBALANCING, {});
    expect(state.notReadyReason()).toMatch(/rebalancing/);
  });

  it('fails liveness when a member holding partitions neither polls nor heartbeats for the stall timeout', () => {
    let now = 0;
    const onStall = vi.fn();
    const { bus, state } = follow(new MemberState({ stallTimeoutMs: 60_000, now: () => now, onStall }));
    bus.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: { orders: [0, 1] } } });
    for (const event of [EVENTS.HEARTBEAT, EVENTS.FETCH_START, EVENTS.END_BATCH_PROCESS]) {
      now += 59_000;
      bus.emit(event, {});
      expect(state.alive(), event).toBe(true);
    }
    now += 60_001;
    expect(state.alive()).toBe(false);
    expect(state.alive()).toBe(false);
    expect(onStall).toHaveBeenCalledTimes(1);
    expect(onStall).toHaveBeenCalledWith(60_001);
    // A poll brings it back (the probe may have caught a slow moment, not a wedge).
    bus.emit(EVENTS.FETCH_START, {});
    expect(state.alive()).toBe(true);
  });

  it('never stalls without partitions, outside the group, or with the timeout off', () => {
    let now = 0;
    const idle = follow(new MemberState({ stallTimeoutMs: 1_000, now: () => now }));
    idle.bus.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: { orders: [] } } });
    const rebalancing = follow(new MemberState({ stallTimeoutMs: 1_000, now: () => now }));
    rebalancing.bus.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: { orders: [0] } } });
    rebalancing.bus.emit(EVENTS.REBALANCING, {});
    const off = follow(new MemberState({ stallTimeoutMs: 0, now: () => now }));
    off.bus.emit(EVENTS.GROUP_JOIN, { payload: { memberAssignment: { orders: [0] } } });
    now += 3_600_000;
    expect([idle.state.alive(), rebalancing.state.alive(), off.state.alive()]).toEqual([true, true, true]);
  });
});
