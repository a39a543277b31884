using System.CommandLine;
using Vipd.Core.Crypto;
using Vipd.Hosting;

namespace Vipd.Commands;

/// <summary><c>vipd keygen</c>: prints a new random 32-byte cluster key in base64, for the key file.</summary>
internal static class KeygenCommand
{
    public static Command Create()
    {
        var command = new Command("keygen", "Print a new cluster key (base64, 32 bytes) for cluster.key_file");
        command.SetAction(_ =>
        {
            Console.Out.WriteLine(Keyring.GenerateKey());
            return ExitCodes.Ok;
        });
        return command;
    }
}
