import type { Channel, ConsumeMessage } from 'amqplib'

/**
 * Acks a channel's deliveries in as few frames as possible: acks requested in one event-loop turn
 * go out together on the next, the longest run of finished deliveries from the oldest unacked one
 * as a single `multiple` ack, the rest one by one (a slow handler never holds up later acks).
 * Every delivery of the channel must be registered with {@link delivered}.
 */
export class AckBatcher {
  /** Delivery tags not acked yet, oldest first (the broker numbers them upwards per channel). */
  private readonly unacked: number[] = []
  private readonly finished = new Map<number, ConsumeMessage>()
  private scheduled = false

  constructor(private readonly channel: Channel) {}

  delivered(msg: ConsumeMessage): void {
    this.unacked.push(msg.fields.deliveryTag)
  }

  ack(msg: ConsumeMessage): void {
    this.finished.set(msg.fields.deliveryTag, msg)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => this.flush())
  }

  /** Sends the requested acks now. On a closed channel they are dropped: the broker redelivers those messages. */
  flush(): void {
    this.scheduled = false
    if (this.finished.size === 0) return
    try {
      this.send()
    } catch {
      this.finished.clear()
    }
  }

  private send(): void {
    let run = 0
    while (run < this.unacked.length && this.finished.has(this.unacked[run]!)) run++
    if (run > 0) {
      const last = this.finished.get(this.unacked[run - 1]!)!
      this.channel.ack(last, run > 1)
      for (const tag of this.unacked.splice(0, run)) this.finished.delete(tag)
    }
    for (const [tag, msg] of this.finished) {
      this.channel.ack(msg)
      this.unacked.splice(this.unacked.indexOf(tag), 1)
    }
    this.finished.clear()
  }
}
