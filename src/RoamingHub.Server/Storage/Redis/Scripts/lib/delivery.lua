-- Publishing the push of an entry a script appends, from inside that script, on the nodes' delivery channel
-- (Hubs/Delivery/DeliveryChannels.cs): the change then costs Redis one call instead of a second one for the PUBLISH.
-- (So far pin_conversation.lua does; the nodes publish every other change's push themselves.)
-- The node prepares the delivery message (Hubs/Delivery/DeliveryProtocol.cs, WriteEntryHead and WriteEntryTarget)
-- up to what only the script knows: the payload is the event as the script logs it, and the seq and epoch are the
-- entry's, packed last.
-- A script that publishes takes the three inputs the wrappers pass (RedisStoreContext.EntryDelivery), named with
-- text_arg (lib/check.lua): delivery_channel ('' when the node publishes on its own: nothing is published here),
-- delivery_head (the message up to the payload) and delivery_target (the user's target up to its seq).

-- publish_entry(channel, head, target, payload, entry): publishes the message for an entry {seq, epoch} whose payload
-- is the given blob (an event as lib/event_log.lua logs it), after the script's writes. A refused PUBLISH (an ACL
-- without the channel) is not an error of the script, whose change is made: it answers false, and the node publishes
-- the push itself. Returns whether this call published.
local function publish_entry(channel, head, target, payload, entry)
  if channel == '' then return false end
  local sent = redis.pcall('PUBLISH', channel, head .. payload .. target .. cmsgpack.pack(entry[1], entry[2]))
  return type(sent) == 'number'
end
