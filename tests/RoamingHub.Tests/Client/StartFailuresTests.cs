using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;
using RoamingHub.Client;
using RoamingHub.Contracts;

namespace RoamingHub.Tests.Client;

/// <summary>How StartAsync reads a failed attempt: refusals with a code end it, failures that may pass are retried.</summary>
public sealed class StartFailuresTests
{
    private static readonly WebSocketException Upgrade = new("The server returned status code '409' when status code '101' was expected.");

    [Theory]
    [InlineData(409, "CONNECTION_LIMIT_EXCEEDED", "CONNECTION_LIMIT_EXCEEDED", false)]
    [InlineData(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", false)]
    [InlineData(403, "FORBIDDEN", "FORBIDDEN", false)]
    [InlineData(401, null, "UNAUTHENTICATED", false)]
    [InlineData(403, null, "FORBIDDEN", false)]
    [InlineData(404, null, "NOT_FOUND", false)]
    [InlineData(409, null, "CONNECTION_LIMIT_EXCEEDED", false)]
    [InlineData(400, "not a code", "INVALID_ARGUMENT", false)]
    [InlineData(429, null, "RATE_LIMITED", true)]
    [InlineData(408, null, "UNAVAILABLE", true)]
    [InlineData(500, null, "INTERNAL", true)]
    [InlineData(502, null, "UNAVAILABLE", true)]
    [InlineData(503, "UNAVAILABLE", "UNAVAILABLE", true)]
    public void A_refused_upgrade_takes_its_code_from_the_header_or_the_status_and_only_server_trouble_is_retried(
        int status, string? header, string code, bool transient)
    {
        var refusal = StartFailures.UpgradeRefused(status, header, Upgrade);

        Assert.Equal(code, refusal.Code);
        Assert.Equal(status, refusal.StatusCode);
        Assert.Equal($"{code}: The server refused the connection (HTTP {status}).", refusal.Message);
        Assert.Same(Upgrade, refusal.InnerException);
        Assert.Equal(transient, StartFailures.IsTransient(refusal));
    }

    [Fact]
    public void A_close_with_a_coded_error_is_a_refusal_with_that_code_and_sentence()
    {
        var close = new HubException("The server closed the connection with the following error: CONNECTION_LIMIT_EXCEEDED: User alice already has 2 connections open; close one first.");

        var refusal = StartFailures.ConnectionEnded(close, reconnecting: false, new TaskCanceledException());

        Assert.Equal(ErrorCodes.ConnectionLimitExceeded, refusal.Code);
        Assert.Equal("CONNECTION_LIMIT_EXCEEDED: User alice already has 2 connections open; close one first.", refusal.Message);
        Assert.Null(refusal.StatusCode);
        Assert.Same(close, refusal.InnerException);
        Assert.False(StartFailures.IsTransient(refusal));
    }

    [Fact]
    public void A_close_coded_UNAVAILABLE_is_retried()
    {
        var close = new HubException("The server closed the connection with the following error: UNAVAILABLE: The store is unreachable; try again.");

        var ended = StartFailures.ConnectionEnded(close, reconnecting: false, new TaskCanceledException());

        Assert.Equal(ErrorCodes.Unavailable, ended.Code);
        Assert.True(StartFailures.IsTransient(ended));
    }

    [Fact]
    public void A_close_that_allows_reconnecting_is_retried_whatever_its_error_says()
    {
        var withCode = StartFailures.ConnectionEnded(new HubException("The server closed the connection with the following error: INTERNAL: x"), reconnecting: true, new TaskCanceledException());
        var withoutError = StartFailures.ConnectionEnded(null, reconnecting: true, new TaskCanceledException());

        Assert.Equal(ErrorCodes.Unavailable, withCode.Code);
        Assert.Equal(ErrorCodes.Unavailable, withoutError.Code);
        Assert.True(StartFailures.IsTransient(withCode));
        Assert.True(StartFailures.IsTransient(withoutError));
    }

    [Fact]
    public void A_close_without_a_code_is_retried_and_keeps_what_failed()
    {
        var callError = new TaskCanceledException();
        var uncoded = new HubException("The server closed the connection with the following error: Connection closed with an error.");

        var silent = StartFailures.ConnectionEnded(null, reconnecting: false, callError);
        var unexplained = StartFailures.ConnectionEnded(uncoded, reconnecting: false, callError);

        Assert.Equal(ErrorCodes.Unavailable, silent.Code);
        Assert.Same(callError, silent.InnerException);
        Assert.Equal(ErrorCodes.Unavailable, unexplained.Code);
        Assert.Same(uncoded, unexplained.InnerException);
        Assert.True(StartFailures.IsTransient(silent));
        Assert.True(StartFailures.IsTransient(unexplained));
    }

    [Fact]
    public void An_answer_to_the_first_call_is_retried_when_the_server_could_not_serve_it_now()
    {
        Assert.True(StartFailures.IsTransient(new HubException("UNAVAILABLE: The store is unreachable; try again.")));
        Assert.True(StartFailures.IsTransient(new HubException("RATE_LIMITED: Too many calls; slow down and retry.")));
        Assert.True(StartFailures.IsTransient(new HubException("INTERNAL: An unexpected error occurred invoking 'GetSyncState' on the server.")));
        Assert.False(StartFailures.IsTransient(new HubException("INVALID_ARGUMENT: Method does not exist.")));
        Assert.False(StartFailures.IsTransient(new HubException("FORBIDDEN: x")));
        Assert.False(StartFailures.IsTransient(new HubException("Unable to complete handshake with the server due to an error: The protocol 'x' is not supported.")));
    }

    [Fact]
    public void A_call_failed_by_a_Close_message_is_not_taken_for_the_servers_answer()
    {
        // SignalR fails a call that was pending when the Close message came with the Close's own error.
        Assert.Null(StartFailures.CodeOf("The server closed the connection with the following error: CONNECTION_LIMIT_EXCEEDED: User alice already has 2 connections open; close one first."));
        Assert.Equal(ErrorCodes.Unavailable, StartFailures.CodeOf("UNAVAILABLE: The store is unreachable; try again."));
    }

    [Fact]
    public void No_answer_at_all_is_retried_and_a_misuse_is_not()
    {
        Assert.True(StartFailures.IsTransient(new WebSocketException("Unable to connect to the remote server", new HttpRequestException("Connection refused", new SocketException((int)SocketError.ConnectionRefused)))));
        Assert.True(StartFailures.IsTransient(new HttpRequestException("Connection refused")));
        Assert.True(StartFailures.IsTransient(new IOException("The server disconnected before sending a handshake response")));
        Assert.True(StartFailures.IsTransient(new TimeoutException()));
        Assert.True(StartFailures.IsTransient(new TaskCanceledException()));
        Assert.False(StartFailures.IsTransient(new InvalidOperationException("The HubConnection cannot be started if it is not in the Disconnected state.")));
        Assert.False(StartFailures.IsTransient(new ObjectDisposedException("HubConnection")));
    }
}
