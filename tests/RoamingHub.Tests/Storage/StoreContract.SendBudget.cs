using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>The cost-weighted send limit (<see cref="ISendBudget"/>), for every store.</summary>
public abstract partial class StoreContract
{
    private string BudgetGroup => "budget" + _alice;

    private async Task<RoamingException?> ChargeAsync(Stores store, string sender, long now, string? groupId = null)
    {
        try
        {
            await store.SendBudget.ChargeGroupSendAsync(sender, groupId ?? BudgetGroup, now, default);
            return null;
        }
        catch (RoamingException e)
        {
            return e;
        }
    }

    [Fact]
    public async Task A_group_message_costs_its_member_count_from_the_senders_budget_which_refills_with_time()
    {
        // Three members: each message costs 3; the sender's bucket holds 7 and refills 3 a second.
        var store = Store(o => { o.RateLimit.SendCostPerUserBurst = 7; o.RateLimit.SendCostPerUserPerSecond = 3; });
        await store.Groups.CreateGroupAsync(BudgetGroup, _alice, [_bob, _carol], T0, default);

        Assert.Null(await ChargeAsync(store, _alice, T0));
        Assert.Null(await ChargeAsync(store, _alice, T0));
        var refused = await ChargeAsync(store, _alice, T0);
        var refusedAgain = await ChargeAsync(store, _alice, T0 + 100);
        var bobs = await ChargeAsync(store, _bob, T0);

        Assert.Equal(ErrorCodes.RateLimited, refused?.Code);
        Assert.Equal(ErrorCodes.RateLimited, refusedAgain?.Code);
        Assert.Null(bobs);                                          // another sender has a bucket of their own
        Assert.Null(await ChargeAsync(store, _alice, T0 + 1000));   // 1 left + 3 refilled
        Assert.Equal(ErrorCodes.RateLimited, (await ChargeAsync(store, _alice, T0 + 1000))?.Code);
    }

    [Fact]
    public async Task A_groups_budget_is_shared_by_its_senders_and_a_refused_send_takes_nothing()
    {
        var store = Store(o =>
        {
            o.RateLimit.SendCostPerGroupBurst = 10;
            o.RateLimit.SendCostPerGroupPerSecond = 1;
            o.RateLimit.SendCostPerUserBurst = 5;
            o.RateLimit.SendCostPerUserPerSecond = 1;
        });
        await store.Groups.CreateGroupAsync(BudgetGroup, _alice, [_bob, _carol], T0, default);
        await store.Groups.CreateGroupAsync("other" + _alice, _alice, [_bob], T0, default);

        Assert.Null(await ChargeAsync(store, _alice, T0));                      // group 10 → 7, alice 5 → 2
        Assert.Equal(ErrorCodes.RateLimited, (await ChargeAsync(store, _alice, T0))?.Code);  // alice's refuses: the group keeps its 7
        Assert.Null(await ChargeAsync(store, _bob, T0));                        // group 7 → 4, bob 5 → 2
        Assert.Null(await ChargeAsync(store, _carol, T0));                      // group 4 → 1
        Assert.Equal(ErrorCodes.RateLimited, (await ChargeAsync(store, _bob, T0))?.Code);    // the group's refuses
        Assert.Null(await ChargeAsync(store, _bob, T0, "other" + _alice));      // another group (cost 2) is untouched
    }

    [Fact]
    public async Task A_sender_outside_the_group_is_not_charged_and_a_group_beyond_the_burst_costs_the_whole_burst()
    {
        var store = Store(o => { o.RateLimit.SendCostPerUserBurst = 2; o.RateLimit.SendCostPerUserPerSecond = 1; });
        await store.Groups.CreateGroupAsync(BudgetGroup, _alice, [_bob, _carol], T0, default);

        for (var i = 0; i < 5; i++)
        {
            Assert.Null(await ChargeAsync(store, "stranger", T0));
        }

        Assert.Null(await ChargeAsync(store, _alice, T0));                      // costs 3 of a burst of 2: goes when full
        Assert.Equal(ErrorCodes.RateLimited, (await ChargeAsync(store, _alice, T0 + 2000))?.Code);  // -1 + 2 refilled
        Assert.Null(await ChargeAsync(store, _alice, T0 + 3000));               // full again
    }
}
